// Random Cedar schemas (human-readable form) and random policies against
// them, for the differential test of `writ validate` against Cedar's own
// validator (validate_diff.mjs). Seeded: the same seed gives the same case.
//
// The schema draws on every kind of declaration: a namespace or none, common
// types, entity types with required and optional attributes of every type
// (primitives, sets, records, entity references, ipaddr/decimal/datetime/
// duration), hierarchies (`in`), tags, enumerated entity types, action groups
// and actions with appliesTo and contexts.
//
// A policy is generated for one "focus" request environment (an action, a
// principal type and a resource type it applies to) from typed generators, so
// that most of it type-checks; about half of the policies then get one fault
// (a misspelt attribute, an operand of the wrong type, an optional attribute
// read without `has`, an unknown action or type, an untagged getTag, ...).
// Cedar is the judge of what is valid: the generator only biases the split.

// splitmix32: small, fast, good enough for test generation.
export function makeRng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const rng = {
    u32: next,
    int: (n) => next() % n,                        // [0, n)
    range: (lo, hi) => lo + (next() % (hi - lo + 1)), // [lo, hi]
    chance: (p) => next() / 4294967296 < p,
    pick: (a) => a[next() % a.length],
    // Picks from [[weight, value], ...].
    weighted: (pairs) => {
      const total = pairs.reduce((t, [w]) => t + w, 0);
      let r = (next() / 4294967296) * total;
      for (const [w, v] of pairs) {
        if ((r -= w) < 0) return v;
      }
      return pairs[pairs.length - 1][1];
    },
    shuffle: (a) => {
      const b = a.slice();
      for (let i = b.length - 1; i > 0; --i) {
        const j = next() % (i + 1);
        [b[i], b[j]] = [b[j], b[i]];
      }
      return b;
    },
  };
  return rng;
}

// The seed of case `index` of a run seeded `seed`.
export function caseSeed(seed, index) {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  return (h ^ (h >>> 12)) >>> 0;
}

// ---------------------------------------------------------------------------
// Types
//   {k:'Long'} {k:'String'} {k:'Bool'} {k:'Set', elem} {k:'Record', attrs}
//   {k:'Entity', name} {k:'Ext', name} {k:'Common', name}
// attrs: [{name, type, required}]

const T = {
  Long: { k: 'Long' },
  String: { k: 'String' },
  Bool: { k: 'Bool' },
  Set: (elem) => ({ k: 'Set', elem }),
  Record: (attrs) => ({ k: 'Record', attrs }),
  Entity: (name) => ({ k: 'Entity', name }),
  Ext: (name) => ({ k: 'Ext', name }),
};
const kExt = ['ipaddr', 'decimal', 'datetime', 'duration'];

const kEntityNames = ['User', 'Group', 'Team', 'Doc', 'Folder', 'Device', 'Account', 'Photo', 'Tenant',
                      'Role', 'Service', 'Bucket', 'Org', 'Project'];
const kEnumNames = ['Color', 'Tier', 'Region', 'Stage'];
const kCommonNames = ['Addr', 'Meta', 'Info', 'Limits', 'Ctx'];
const kAttrNames = ['name', 'age', 'owner', 'level', 'email', 'active', 'score', 'labels', 'manager',
                    'addr', 'ip', 'budget', 'created', 'ttl', 'members', 'parent', 'flags', 'size',
                    'region', 'kind', 'count', 'meta', 'nick', 'limit', 'since', 'weight', 'zone'];
const kQuotedAttrNames = ['first name', 'x-id', 'is-admin', '2fa'];
const kActionNames = ['view', 'edit', 'delete', 'share', 'list', 'create', 'read', 'write', 'admin',
                      'approve', 'comment', 'download'];
const kGroupNames = ['readOnly', 'readWrite', 'all', 'manage'];
export const kIds = ['alice', 'bob', 'carol', 'x1', 'root', 'ops', 'd42', 'main'];
export const kStrings = ['', 'a', 'hello', 'alice', 'admin', 'x@y.z', 'eu', 'us-east'];
const kPatterns = ['*', 'a*', '*@y.z', 'he*o', '*a*', 'alice', 'us-*'];
const kEnumIds = ['red', 'green', 'blue', 'gold', 'free', 'eu', 'us', 'dev', 'prod'];
export const kExtLits = {
  ipaddr: ['10.0.0.1', '192.168.0.0/16', '::1', '127.0.0.1', 'fe80::/10'],
  decimal: ['1.5', '0.0', '-2.25', '123.4567', '10.0'],
  datetime: ['2024-10-15', '2024-10-15T11:38:02Z', '2023-01-01T00:00:00.000Z', '2025-06-30T23:59:59+0200'],
  duration: ['1h', '2d3h', '-5m', '10s', '1ms', '1d2h3m4s5ms'],
};
const kBadExtLits = {
  ipaddr: ['10.0.0.256', 'localhost', '1.2.3'],
  decimal: ['1.23456', 'abc', '1e3'],
  datetime: ['2024-13-01', 'yesterday', '2024-10-15T25:00:00Z'],
  duration: ['1x', 'h', '1.5h'],
};
export const kExtCtor = { ipaddr: 'ip', decimal: 'decimal', datetime: 'datetime', duration: 'duration' };

const isIdent = (s) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
const quote = (s) => JSON.stringify(s);

// ---------------------------------------------------------------------------
// Schemas

export function genSchema(rng) {
  const ns = rng.chance(0.45) ? rng.pick(['App', 'Acme', 'Photo::Flash', 'Corp']) : null;
  const schema = { ns, common: [], entities: [], enums: [], actions: [] };

  const entityNames = rng.shuffle(kEntityNames).slice(0, rng.range(2, 6));
  const enumNames = rng.chance(0.5) ? rng.shuffle(kEnumNames).slice(0, rng.range(1, 2)) : [];
  for (const name of enumNames) {
    schema.enums.push({ name, ids: rng.shuffle(kEnumIds).slice(0, rng.range(1, 4)) });
  }
  const allEntityNames = [...entityNames, ...enumNames];
  const commonNames = rng.chance(0.5) ? rng.shuffle(kCommonNames).slice(0, rng.range(1, 2)) : [];

  // A random attribute type; `depth` bounds nesting of sets and records.
  const genType = (depth, allowCommon) => {
    const choices = [
      [4, () => T.Long], [4, () => T.String], [3, () => T.Bool],
      [4, () => T.Entity(rng.pick(allEntityNames))],
      [3, () => T.Ext(rng.pick(kExt))],
    ];
    if (depth > 0) {
      choices.push([3, () => T.Set(genType(depth - 1, allowCommon))]);
      choices.push([2, () => T.Record(genAttrs(depth - 1, 1, 3, allowCommon))]);
    }
    if (allowCommon && schema.common.length > 0) {
      choices.push([2, () => ({ k: 'Common', name: rng.pick(schema.common).name })]);
    }
    return rng.weighted(choices)();
  };
  const genAttrs = (depth, lo, hi, allowCommon) => {
    const n = rng.range(lo, hi);
    const names = rng.shuffle(kAttrNames).slice(0, n);
    if (rng.chance(0.15)) names.push(rng.pick(kQuotedAttrNames));
    return names.map((name) => ({ name, type: genType(depth, allowCommon), required: rng.chance(0.65) }));
  };

  for (const name of commonNames) {
    // Common types may name the ones declared before them.
    schema.common.push({ name, type: rng.chance(0.8) ? T.Record(genAttrs(1, 1, 3, true)) : genType(1, true) });
  }
  for (let i = 0; i < entityNames.length; ++i) {
    const name = entityNames[i];
    const parents = [];
    // Parents among the types declared so far, and sometimes itself.
    for (let j = 0; j < i; ++j) if (rng.chance(0.3)) parents.push(entityNames[j]);
    if (rng.chance(0.1)) parents.push(name);
    if (enumNames.length > 0 && rng.chance(0.1)) parents.push(rng.pick(enumNames));
    const attrs = rng.chance(0.8) ? genAttrs(2, 0, 5, true) : null;
    const tags = rng.chance(0.25) ? genType(1, true) : null;
    schema.entities.push({ name, parents, attrs, tags, eq: rng.chance(0.5) });
  }

  const groups = rng.chance(0.4) ? rng.shuffle(kGroupNames).slice(0, rng.range(1, 2)) : [];
  for (const name of groups) schema.actions.push({ name, parents: [], appliesTo: null });
  const actionNames = rng.shuffle(kActionNames).slice(0, rng.range(1, 4));
  for (const name of actionNames) {
    const pick = () => rng.shuffle(allEntityNames.filter((n) => !enumNames.includes(n) || rng.chance(0.2)))
                          .slice(0, rng.range(1, 2));
    let principals = pick(), resources = pick();
    if (principals.length === 0) principals = [entityNames[0]];
    if (resources.length === 0) resources = [entityNames[entityNames.length - 1]];
    let context = null;
    if (rng.chance(0.7)) {
      const ctxCommon = schema.common.filter((c) => c.type.k === 'Record');
      context = ctxCommon.length > 0 && rng.chance(0.3) ? { k: 'Common', name: rng.pick(ctxCommon).name }
                                                       : T.Record(genAttrs(2, 1, 4, true));
    }
    const parents = groups.filter(() => rng.chance(0.5));
    schema.actions.push({ name, parents, appliesTo: { principals, resources, context } });
  }
  return schema;
}

function renderType(t) {
  switch (t.k) {
    case 'Long': return 'Long';
    case 'String': return 'String';
    case 'Bool': return 'Bool';
    case 'Set': return `Set<${renderType(t.elem)}>`;
    case 'Record': return renderRecord(t.attrs);
    case 'Entity': return t.name;
    case 'Ext': return t.name;
    case 'Common': return t.name;
  }
  throw new Error(`type ${t.k}`);
}
function renderRecord(attrs) {
  const parts = attrs.map((a) => `${isIdent(a.name) ? a.name : quote(a.name)}${a.required ? '' : '?'}: ${renderType(a.type)}`);
  return `{ ${parts.join(', ')} }`;
}

export function renderSchema(schema) {
  const lines = [];
  const ind = schema.ns ? '  ' : '';
  for (const c of schema.common) lines.push(`${ind}type ${c.name} = ${renderType(c.type)};`);
  for (const e of schema.enums) lines.push(`${ind}entity ${e.name} enum [${e.ids.map(quote).join(', ')}];`);
  for (const e of schema.entities) {
    let s = `${ind}entity ${e.name}`;
    if (e.parents.length > 0) s += ` in [${e.parents.join(', ')}]`;
    if (e.attrs) s += `${e.eq ? ' =' : ''} ${renderRecord(e.attrs)}`;
    if (e.tags) s += ` tags ${renderType(e.tags)}`;
    lines.push(s + ';');
  }
  for (const a of schema.actions) {
    let s = `${ind}action ${isIdent(a.name) && a.name.length % 2 ? a.name : quote(a.name)}`;
    if (a.parents.length > 0) s += ` in [${a.parents.map(quote).join(', ')}]`;
    if (a.appliesTo) {
      const at = a.appliesTo;
      const parts = [`principal: [${at.principals.join(', ')}]`, `resource: [${at.resources.join(', ')}]`];
      if (at.context) parts.push(`context: ${renderType(at.context)}`);
      s += ` appliesTo {\n${ind}  ${parts.join(`,\n${ind}  `)}\n${ind}}`;
    }
    lines.push(s + ';');
  }
  if (schema.ns) return `namespace ${schema.ns} {\n${lines.join('\n')}\n}\n`;
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------
// Policies

class PolicyGen {
  constructor(rng, schema) {
    this.rng = rng;
    this.s = schema;
    this.q = (n) => (schema.ns ? `${schema.ns}::${n}` : n);
    this.commons = new Map(schema.common.map((c) => [c.name, c.type]));
    this.entities = new Map(schema.entities.map((e) => [e.name, e]));
    this.enums = new Map(schema.enums.map((e) => [e.name, e]));
    this.entityTypes = [...schema.entities.map((e) => e.name), ...schema.enums.map((e) => e.name)];
  }

  resolve(t) {
    let guard = 0;
    while (t.k === 'Common' && guard++ < 10) t = this.commons.get(t.name);
    return t;
  }
  sameType(a, b) {
    a = this.resolve(a); b = this.resolve(b);
    if (a.k !== b.k) return false;
    switch (a.k) {
      case 'Set': return this.sameType(a.elem, b.elem);
      case 'Entity': case 'Ext': return a.name === b.name;
      case 'Record':
        return a.attrs.length === b.attrs.length &&
               a.attrs.every((x) => b.attrs.some((y) => y.name === x.name && y.required === x.required &&
                                                      this.sameType(x.type, y.type)));
      default: return true;
    }
  }
  entityAttrs(name) {
    const e = this.entities.get(name);
    return e && e.attrs ? e.attrs : [];
  }
  entityTags(name) {
    const e = this.entities.get(name);
    return e ? e.tags : null;
  }
  action(name) { return `${this.q('Action')}::${quote(name)}`; }
  uid(type, id) { return `${this.q(type)}::${quote(id)}`; }
  entityLit(type) {
    const en = this.enums.get(type);
    return this.uid(type, en ? this.rng.pick(en.ids) : this.rng.pick(kIds));
  }
  access(expr, name) { return isIdent(name) ? `${expr}.${name}` : `${expr}[${quote(name)}]`; }
  hasName(name) { return isIdent(name) ? name : quote(name); }

  // Every readable path from the roots, up to a few steps: {expr, type, guards}
  // where `guards` are the `has` tests needed before reading it.
  paths() {
    if (this.pathCache) return this.pathCache;
    const out = [];
    const walk = (expr, t, guards, depth) => {
      t = this.resolve(t);
      out.push({ expr, type: t, guards });
      if (depth >= 3) return;
      let attrs = null;
      if (t.k === 'Record') attrs = t.attrs;
      if (t.k === 'Entity') attrs = this.entityAttrs(t.name);
      if (!attrs) return;
      for (const a of attrs) {
        const e = this.access(expr, a.name);
        walk(e, a.type, a.required ? guards : [...guards, `${expr} has ${this.hasName(a.name)}`], depth + 1);
      }
    };
    walk('principal', T.Entity(this.env.principal), [], 0);
    walk('resource', T.Entity(this.env.resource), [], 0);
    if (this.env.context) walk('context', this.env.context, [], 0);
    this.pathCache = out;
    return out;
  }
  pathsOf(pred) { return this.paths().filter((p) => pred(this.resolve(p.type))); }

  // A path read, guarded by its `has` tests: as a conjunction when the result
  // is Bool-valued (`f` builds the test from the read), else inside an if.
  guardedBool(p, f) {
    const body = f(p.expr);
    if (p.guards.length === 0) return body;
    const g = p.guards.join(' && ');
    return this.rng.weighted([
      [10, () => `(${g} && ${body})`],
      [3, () => `(if ${g} then ${body} else ${this.rng.pick(['true', 'false'])})`],
      // How far capabilities reach: through ||, a literal, a nested if; not
      // through negation.
      [1, () => `((${g} || ${g}) && ${body})`],
      [1, () => `((${g} || false) && ${body})`],
      [1, () => `((${g} && true) && ${body})`],
      [1, () => `(if (${g}) then (true && ${body}) else false)`],
      [1, () => `(!(${g}) || ${body})`],
      [1, () => `(if !(${g}) then false else ${body})`],
      [1, () => `((false || ${g}) && ${body})`],
    ])();
  }
  guardedValue(p, t, d) {
    if (p.guards.length === 0) return p.expr;
    return `(if ${p.guards.join(' && ')} then ${p.expr} else ${this.gen(t, d - 1, true)})`;
  }

  // A well-typed expression of type t (mostly: Cedar is the judge), depth-bounded.
  // `plain` asks for no fault to be injected here.
  gen(t, d, plain = false) {
    t = this.resolve(t);
    if (!plain && this.faultsLeft > 0 && this.rng.chance(0.12)) {
      --this.faultsLeft;
      return this.fault(t, d);
    }
    const rng = this.rng;
    const choices = [];
    const paths = this.pathsOf((pt) => this.sameType(pt, t));
    if (paths.length > 0) choices.push([d > 0 ? 6 : 3, () => this.guardedValue(rng.pick(paths), t, d)]);
    if (d > 0 && t.k !== 'Bool') {
      choices.push([1, () => `(if ${this.gen(T.Bool, d - 1)} then ${this.gen(t, d - 1)} else ${this.gen(t, d - 1)})`]);
    }
    // Tags of this type.
    const tagged = this.pathsOf((pt) => pt.k === 'Entity' && this.entityTags(pt.name) &&
                                        this.sameType(this.entityTags(pt.name), t));
    if (tagged.length > 0 && d > 0) {
      choices.push([2, () => {
        const p = rng.pick(tagged);
        const k = this.gen(T.String, 0, true);
        return `(if ${[...p.guards, `${p.expr}.hasTag(${k})`].join(' && ')} then ${p.expr}.getTag(${k}) else ${this.gen(t, d - 1, true)})`;
      }]);
    }
    switch (t.k) {
      case 'Bool': return rng.weighted([...choices, ...this.boolChoices(d)])();
      case 'Long':
        choices.push([3, () => String(rng.chance(0.8) ? rng.range(0, 100) : -rng.range(1, 1000))]);
        if (d > 0) {
          choices.push([2, () => `(${this.gen(T.Long, d - 1)} ${rng.pick(['+', '-', '*'])} ${this.gen(T.Long, d - 1)})`]);
          choices.push([1, () => `-(${this.gen(T.Long, d - 1)})`]);
          choices.push([1, () => `${this.gen(T.Ext('duration'), d - 1)}.${rng.pick(['toMilliseconds', 'toSeconds', 'toMinutes', 'toHours', 'toDays'])}()`]);
        }
        break;
      case 'String':
        choices.push([4, () => quote(rng.pick(kStrings))]);
        break;
      case 'Set':
        choices.push([2, () => {
          const n = rng.range(1, 3);
          return `[${Array.from({ length: n }, () => this.gen(t.elem, Math.max(0, d - 1))).join(', ')}]`;
        }]);
        break;
      case 'Record':
        choices.push([2, () => {
          const parts = t.attrs.filter((a) => a.required || rng.chance(0.5))
                               .map((a) => `${isIdent(a.name) ? a.name : quote(a.name)}: ${this.gen(a.type, Math.max(0, d - 1))}`);
          return `{${parts.join(', ')}}`;
        }]);
        break;
      case 'Entity':
        choices.push([3, () => this.entityLit(t.name)]);
        if (t.name === this.env.principal) choices.push([2, () => 'principal']);
        if (t.name === this.env.resource) choices.push([2, () => 'resource']);
        break;
      case 'Ext':
        choices.push([3, () => `${kExtCtor[t.name]}(${quote(rng.pick(kExtLits[t.name]))})`]);
        if (d > 0 && t.name === 'datetime') {
          choices.push([1, () => `${this.gen(T.Ext('datetime'), d - 1)}.offset(${this.gen(T.Ext('duration'), d - 1)})`]);
          choices.push([1, () => `${this.gen(T.Ext('datetime'), d - 1)}.toDate()`]);
        }
        if (d > 0 && t.name === 'duration') {
          choices.push([1, () => `${this.gen(T.Ext('datetime'), d - 1)}.durationSince(${this.gen(T.Ext('datetime'), d - 1)})`]);
          choices.push([1, () => `${this.gen(T.Ext('datetime'), d - 1)}.toTime()`]);
        }
        break;
    }
    return rng.weighted(choices)();
  }

  // A random type from the schema's vocabulary, for comparisons.
  someType(depth = 1) {
    const rng = this.rng;
    const pathTypes = this.paths().map((p) => p.type);
    return rng.weighted([
      [5, () => rng.pick(pathTypes)],
      [2, () => T.Long], [2, () => T.String], [1, () => T.Bool],
      [1, () => T.Entity(rng.pick(this.entityTypes))],
      [1, () => T.Ext(rng.pick(kExt))],
      [depth > 0 ? 1 : 0, () => T.Set(this.someType(depth - 1))],
    ])();
  }

  boolChoices(d) {
    const rng = this.rng;
    const c = [[2, () => rng.pick(['true', 'false'])]];
    if (d <= 0) return c;
    const d1 = d - 1;
    const entPaths = () => this.pathsOf((t) => t.k === 'Entity');
    c.push([2, () => `!(${this.gen(T.Bool, d1)})`]);
    c.push([4, () => `(${this.gen(T.Bool, d1)} ${rng.pick(['&&', '||'])} ${this.gen(T.Bool, d1)})`]);
    c.push([4, () => {
      const t = this.someType();
      return `(${this.gen(t, d1)} ${rng.pick(['==', '!='])} ${this.gen(t, d1)})`;
    }]);
    c.push([3, () => `(${this.gen(T.Long, d1)} ${rng.pick(['<', '<=', '>', '>='])} ${this.gen(T.Long, d1)})`]);
    c.push([1, () => {
      const ext = rng.pick(['datetime', 'duration']);
      return `(${this.gen(T.Ext(ext), d1)} ${rng.pick(['<', '<=', '>', '>='])} ${this.gen(T.Ext(ext), d1)})`;
    }]);
    c.push([2, () => `(${this.gen(T.String, d1)} like ${quote(rng.pick(kPatterns))})`]);
    // has, on an entity or record path (guarded itself when optional).
    c.push([3, () => {
      const ps = this.pathsOf((t) => (t.k === 'Entity' && this.entityAttrs(t.name).length > 0) || t.k === 'Record');
      if (ps.length === 0) return 'true';
      const p = rng.pick(ps);
      const pt = this.resolve(p.type);
      const attrs = pt.k === 'Record' ? pt.attrs : this.entityAttrs(pt.name);
      const name = rng.chance(0.9) ? rng.pick(attrs).name : rng.pick(kAttrNames);
      const a = attrs.find((x) => x.name === name);
      const at = a ? this.resolve(a.type) : null;
      const sub = at && at.k === 'Record' ? at.attrs : at && at.k === 'Entity' ? this.entityAttrs(at.name) : [];
      if (sub.length > 0 && isIdent(name) && rng.chance(0.3)) {
        // `e has a.b`, and then sometimes the read it guards.
        const b = rng.pick(sub);
        if (!isIdent(b.name)) return this.guardedBool(p, (e) => `(${e} has ${name})`);
        const read = rng.chance(0.5) ? ` && ${this.useAsBool(`${p.expr}.${name}.${b.name}`, b.type, 0)}` : '';
        return this.guardedBool(p, (e) => `((${e} has ${name}.${b.name})${read})`);
      }
      return this.guardedBool(p, (e) => `(${e} has ${this.hasName(name)})`);
    }]);
    // is, and is ... in
    c.push([2, () => {
      const p = rng.pick(entPaths());
      const ty = rng.chance(0.6) ? this.resolve(p.type).name : rng.pick(this.entityTypes);
      const tail = rng.chance(0.3) ? ` in ${this.gen(T.Entity(rng.pick(this.entityTypes)), d1)}` : '';
      return this.guardedBool(p, (e) => `(${e} is ${this.q(ty)}${tail})`);
    }]);
    // in: entity in entity, or in a set of entities
    c.push([3, () => {
      const p = rng.pick(entPaths());
      const et = this.resolve(p.type).name;
      const ancestors = this.ancestorsOf(et);
      const rt = ancestors.length > 0 && rng.chance(0.75) ? rng.pick(ancestors) : rng.pick(this.entityTypes);
      const rhs = rng.chance(0.7) ? this.gen(T.Entity(rt), d1) : this.gen(T.Set(T.Entity(rt)), d1);
      return this.guardedBool(p, (e) => `(${e} in ${rhs})`);
    }]);
    // set operations
    c.push([3, () => {
      const ps = this.pathsOf((t) => t.k === 'Set');
      const st = ps.length > 0 && rng.chance(0.7) ? this.resolve(rng.pick(ps).type) : T.Set(this.someType(0));
      const s = this.gen(st, d1);
      return rng.weighted([
        [3, () => `${s}.contains(${this.gen(st.elem, d1)})`],
        [2, () => `${s}.${rng.pick(['containsAll', 'containsAny'])}(${this.gen(st, d1)})`],
        [1, () => `${s}.isEmpty()`],
      ])();
    }]);
    // tags
    c.push([1, () => {
      const ps = entPaths().filter((p) => this.entityTags(this.resolve(p.type).name));
      if (ps.length === 0) return 'true';
      return this.guardedBool(rng.pick(ps), (e) => `${e}.hasTag(${this.gen(T.String, 0)})`);
    }]);
    // extension predicates
    c.push([2, () => rng.weighted([
      [2, () => `${this.gen(T.Ext('ipaddr'), d1)}.${rng.pick(['isIpv4', 'isIpv6', 'isLoopback', 'isMulticast'])}()`],
      [2, () => `${this.gen(T.Ext('ipaddr'), d1)}.isInRange(${this.gen(T.Ext('ipaddr'), d1)})`],
      [3, () => `${this.gen(T.Ext('decimal'), d1)}.${rng.pick(['lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual'])}(${this.gen(T.Ext('decimal'), d1)})`],
    ])()]);
    // the action
    c.push([1, () => `(action in [${rng.shuffle(this.s.actions).slice(0, rng.range(1, 3)).map((a) => this.action(a.name)).join(', ')}])`]);
    c.push([1, () => rng.chance(0.5) ? `(action == ${this.action(this.env.action)})`
                                     : `(action in ${this.action(rng.pick(this.s.actions).name)})`]);
    return c;
  }

  ancestorsOf(type) {
    const out = new Set();
    const visit = (t) => {
      for (const e of this.s.entities) {
        if (e.name === t) for (const p of e.parents) if (!out.has(p)) { out.add(p); visit(p); }
      }
    };
    visit(type);
    return [...out];
  }

  // An expression with one fault, where one of type t was expected.
  fault(t, d) {
    const rng = this.rng;
    const d1 = Math.max(0, d - 1);
    this.faults.push('?');
    const set = (name, expr) => { this.faults[this.faults.length - 1] = name; return expr; };
    const kinds = [
      // A value of another type where t is expected.
      [6, () => {
        let u = this.someType();
        for (let i = 0; i < 5 && this.sameType(u, t); ++i) u = this.someType();
        return set('wrong-type', this.gen(u, d1, true));
      }],
      // A misspelt attribute.
      [3, () => {
        const ps = this.pathsOf((pt) => (pt.k === 'Entity') || pt.k === 'Record');
        const p = rng.pick(ps);
        const pt = this.resolve(p.type);
        const attrs = pt.k === 'Record' ? pt.attrs : this.entityAttrs(pt.name);
        const base = attrs.length > 0 ? rng.pick(attrs).name : 'name';
        const bad = rng.chance(0.5) && base.length > 2 ? base.slice(0, 1) + base.slice(2) : base + 'x';
        return set('misspelt-attr', this.wrapAs(t, this.access(p.expr, bad), d1));
      }],
      // An optional attribute read without its has guard.
      [4, () => {
        const ps = this.paths().filter((p) => p.guards.length > 0);
        if (ps.length === 0) return set('wrong-type', this.gen(t.k === 'Long' ? T.String : T.Long, d1, true));
        const p = rng.pick(ps);
        return set('unguarded-optional', this.wrapAs(t, p.expr, d1, p.type));
      }],
      // The guard after the read instead of before it.
      [1, () => {
        const ps = this.paths().filter((p) => p.guards.length > 0);
        if (ps.length === 0) return set('unknown-entity-type', this.wrapAs(t, `Nope::"x"`, d1));
        const p = rng.pick(ps);
        return set('guard-after-read', this.wrapAs(t, `(${this.useAsBool(p.expr, p.type, d1)} && ${p.guards.join(' && ')})`, d1, T.Bool));
      }],
      [2, () => set('unknown-action', this.wrapAs(t, `(action == ${this.action('nope')})`, d1, T.Bool))],
      [2, () => set('unknown-entity-type', this.wrapAs(t, `(principal is ${this.q('Nope')})`, d1, T.Bool))],
      [1, () => set('unknown-entity-literal', this.wrapAs(t, `(resource == ${this.q('Nope')}::"x")`, d1, T.Bool))],
      // getTag without hasTag, or on an entity without tags.
      [2, () => {
        const ps = this.pathsOf((pt) => pt.k === 'Entity');
        const p = rng.pick(ps);
        const tags = this.entityTags(this.resolve(p.type).name);
        return set(tags ? 'unguarded-getTag' : 'getTag-untagged',
                   this.wrapAs(t, `${p.expr}.getTag(${this.gen(T.String, 0, true)})`, d1, tags || T.String));
      }],
      // A method on the wrong kind of value.
      [2, () => set('method-on-wrong-type', this.wrapAs(t, rng.pick([
        `${this.gen(T.Long, d1, true)}.contains(1)`,
        `${this.gen(T.String, d1, true)}.isIpv4()`,
        `${this.gen(T.Ext('ipaddr'), d1, true)}.lessThan(${this.gen(T.Ext('decimal'), d1, true)})`,
        `${this.gen(T.Ext('decimal'), d1, true)}.isInRange(${this.gen(T.Ext('ipaddr'), d1, true)})`,
        `${this.gen(T.Ext('duration'), d1, true)}.toDate()`,
        `${this.gen(T.Ext('datetime'), d1, true)}.toHours()`,
        `principal.hasTag(1)`,
      ]), d1, T.Bool))],
      // Extension constructors given a non-literal or a malformed literal.
      [2, () => {
        const ext = rng.pick(kExt);
        const arg = rng.chance(0.5) ? quote(rng.pick(kBadExtLits[ext])) : this.gen(T.String, d1, true);
        return set(arg.startsWith('"') ? 'bad-ext-literal' : 'ext-non-literal', this.wrapAs(t, `${kExtCtor[ext]}(${arg})`, d1, T.Ext(ext)));
      }],
      [1, () => set('ext-wrong-arg', this.wrapAs(t, `${kExtCtor[rng.pick(kExt)]}(${this.gen(T.Long, 0, true)})`, d1, T.Ext('ipaddr')))],
      [2, () => set('empty-set', this.wrapAs(t, rng.pick(['[]', '[].isEmpty()', `[].contains(${this.gen(T.Long, 0, true)})`, `${this.gen(T.Set(T.Long), d1, true)}.containsAny([])`]), d1, T.Set(T.Long)))],
      [2, () => set('mixed-set', this.wrapAs(t, `[${this.gen(T.Long, 0, true)}, ${this.gen(T.String, 0, true)}]`, d1, T.Set(T.Long)))],
      [2, () => set('if-branches', `(if ${this.gen(T.Bool, d1, true)} then ${this.gen(t, d1, true)} else ${this.gen(t.k === 'String' ? T.Long : T.String, d1, true)})`)],
      [1, () => set('short-circuit', rng.pick([
        `(false && ${this.gen(T.Long, d1, true)})`,
        `(true || ${this.gen(T.String, d1, true)})`,
        `(if true then ${this.gen(t, d1, true)} else ${this.gen(t.k === 'Long' ? T.String : T.Long, d1, true)})`,
        `(if false then ${this.gen(t.k === 'Long' ? T.String : T.Long, d1, true)} else ${this.gen(t, d1, true)})`,
      ]))],
      [2, () => set('like-non-string', this.wrapAs(t, `(${this.gen(rng.pick([T.Long, T.Entity(this.env.principal), T.Set(T.String)]), d1, true)} like "a*")`, d1, T.Bool))],
      [2, () => set('in-non-entity', this.wrapAs(t, `(${this.gen(rng.pick([T.Long, T.String]), d1, true)} in ${this.gen(T.Entity(rng.pick(this.entityTypes)), d1, true)})`, d1, T.Bool))],
      [1, () => set('has-non-record', this.wrapAs(t, `(${this.gen(rng.pick([T.Long, T.String, T.Set(T.Long)]), d1, true)} has name)`, d1, T.Bool))],
      [2, () => set('record-missing-key', (() => {
        const ps = this.pathsOf((pt) => pt.k === 'Record');
        if (ps.length === 0) return this.wrapAs(t, `{a: 1}.b`, d1, T.Long);
        const p = rng.pick(ps);
        return this.wrapAs(t, this.guardedValue({ ...p, expr: this.access(p.expr, 'missing') }, T.Long, d1), d1, T.Long);
      })())],
      [1, () => set('record-literal-eq', `(${this.gen(rng.pick(this.pathsOf((pt) => pt.k === 'Record').map((p) => p.type).concat([T.Record([{ name: 'a', type: T.Long, required: true }])])), d1, true)} == {zz: 1})`)],
      [1, () => {
        const en = this.s.enums;
        if (en.length === 0) return set('unknown-entity-literal', this.wrapAs(t, `${this.q('Nope')}::"x"`, d1, T.Entity('Nope')));
        const e = rng.pick(en);
        return set('bad-enum-id', this.wrapAs(t, this.uid(e.name, 'purple'), d1, T.Entity(e.name)));
      }],
      [1, () => set('arith-on-string', this.wrapAs(t, `(${this.gen(T.String, d1, true)} + ${this.gen(T.Long, d1, true)})`, d1, T.Long))],
      [1, () => set('compare-strings', this.wrapAs(t, `(${this.gen(T.String, d1, true)} < ${this.gen(T.String, d1, true)})`, d1, T.Bool))],
      [1, () => set('action-attr', this.wrapAs(t, `action.${rng.pick(kAttrNames)}`, d1))],
    ];
    return rng.weighted(kinds)();
  }

  // Uses `expr` (of type `et` when known) where a t is expected: Bool-valued
  // uses go in a conjunction when t is Bool, otherwise compared, so that the
  // fault is in `expr` and not in the wrapping.
  wrapAs(t, expr, d, et = null) {
    if (et && this.sameType(et, t)) return expr;
    if (t.k === 'Bool') return et ? this.useAsBool(expr, et, d) : `(${expr} == ${this.gen(T.Long, 0, true)})`;
    if (et && this.resolve(et).k === 'Bool') return `(if ${expr} then ${this.gen(t, d, true)} else ${this.gen(t, d, true)})`;
    if (et) return `(if ${this.useAsBool(expr, et, d)} then ${this.gen(t, d, true)} else ${this.gen(t, d, true)})`;
    return `(if (${expr} == 1) then ${this.gen(t, d, true)} else ${this.gen(t, d, true)})`;
  }
  // A Bool-valued use of an expression of type et.
  useAsBool(expr, et, d) {
    et = this.resolve(et);
    switch (et.k) {
      case 'Bool': return expr;
      case 'Long': return `(${expr} > ${this.gen(T.Long, 0, true)})`;
      case 'String': return `(${expr} like "*")`;
      case 'Set': return `${expr}.isEmpty()`;
      case 'Entity': return `(${expr} == ${this.gen(et, d, true)})`;
      case 'Ext':
        switch (et.name) {
          case 'ipaddr': return `${expr}.isIpv4()`;
          case 'decimal': return `${expr}.lessThan(decimal("1.0"))`;
          default: return `(${expr} < ${this.gen(et, 0, true)})`;
        }
      case 'Record': return `(${expr} == ${this.gen(et, 0, true)})`;
    }
    return `(${expr} == 1)`;
  }

  // The scope: the focus action, and principal/resource constraints of the
  // focus types (sometimes looser, sometimes wrong).
  scope(bad) {
    const rng = this.rng;
    const env = this.env;
    const actionsFor = this.s.actions.filter((a) => a.appliesTo);
    const principalScope = (var_, type) => rng.weighted([
      [3, () => var_],
      [4, () => `${var_} is ${this.q(type)}`],
      [3, () => `${var_} == ${this.entityLit(type)}`],
      [1, () => {
        const anc = this.ancestorsOf(type);
        return anc.length > 0 ? `${var_} in ${this.entityLit(rng.pick(anc))}` : `${var_} in ${this.entityLit(type)}`;
      }],
      [1, () => {
        const anc = this.ancestorsOf(type);
        return `${var_} is ${this.q(type)} in ${this.entityLit(anc.length > 0 ? rng.pick(anc) : type)}`;
      }],
    ])();
    let principal = principalScope('principal', env.principal);
    let resource = principalScope('resource', env.resource);
    let action = rng.weighted([
      [6, () => `action == ${this.action(env.action)}`],
      [1, () => 'action'],
      [2, () => `action in [${rng.shuffle(actionsFor).slice(0, rng.range(1, 3)).map((a) => a.name)
                                .concat([env.action]).filter((v, i, a) => a.indexOf(v) === i)
                                .map((n) => this.action(n)).join(', ')}]`],
      [1, () => {
        const a = this.s.actions.find((x) => x.name === env.action);
        return a.parents.length > 0 ? `action in ${this.action(rng.pick(a.parents))}` : `action == ${this.action(env.action)}`;
      }],
    ])();
    if (bad) {
      this.faults.push('?');
      const set = (name) => { this.faults[this.faults.length - 1] = name; };
      rng.weighted([
        [2, () => { set('scope-unknown-action'); action = `action == ${this.action('nope')}`; }],
        [2, () => { set('scope-unknown-type'); principal = `principal is ${this.q('Nope')}`; }],
        [1, () => { set('scope-unknown-entity'); resource = `resource == ${this.q('Nope')}::"r"`; }],
        [2, () => {
          set('scope-wrong-type');
          const others = this.entityTypes.filter((n) => n !== env.principal);
          principal = `principal == ${this.entityLit(others.length > 0 ? rng.pick(others) : env.principal)}`;
        }],
        [1, () => {
          set('scope-action-group-unknown');
          action = `action in [${this.action(env.action)}, ${this.action('nope')}]`;
        }],
        [1, () => {
          set('scope-unqualified');
          if (this.s.ns) action = `action == Action::${quote(env.action)}`;
          else principal = `principal is Other::${this.entityTypes[0]}`;
        }],
      ])();
    }
    return { principal, action, resource };
  }

  policy(id, wantBad) {
    const rng = this.rng;
    const actions = this.s.actions.filter((a) => a.appliesTo);
    const a = rng.pick(actions);
    this.env = {
      action: a.name,
      principal: rng.pick(a.appliesTo.principals),
      resource: rng.pick(a.appliesTo.resources),
      context: a.appliesTo.context ? this.resolve(a.appliesTo.context) : null,
    };
    if (this.env.context === undefined) this.env.context = null;
    this.pathCache = null;
    this.faults = [];
    const scopeFault = wantBad && rng.chance(0.15);
    this.faultsLeft = wantBad && !scopeFault ? 1 : 0;
    const sc = this.scope(scopeFault);
    const conds = [];
    const n = rng.weighted([[1, 0], [5, 1], [2, 2]]);
    for (let i = 0; i < n; ++i) {
      const kw = rng.chance(0.75) ? 'when' : 'unless';
      conds.push(`${kw} { ${this.gen(T.Bool, rng.range(1, 3))} }`);
    }
    if (this.faultsLeft > 0) {
      --this.faultsLeft;
      conds.push(`when { ${this.fault(T.Bool, 2)} }`);
    }
    const effect = rng.chance(0.7) ? 'permit' : 'forbid';
    const text = `@id(${quote(id)})\n${effect} (\n  ${sc.principal},\n  ${sc.action},\n  ${sc.resource}\n)${conds.map((c) => `\n${c}`).join('')};`;
    return { id, text, faults: this.faults.slice(), env: { ...this.env, context: undefined } };
  }
}

// A case: a schema and `n` policies, about half with a fault.
export function genCase(seed, n) {
  const rng = makeRng(seed);
  const schema = genSchema(rng);
  const g = new PolicyGen(rng, schema);
  const policies = [];
  for (let i = 0; i < n; ++i) policies.push(g.policy(`policy${i}`, rng.chance(0.5)));
  return { seed, schema, schemaText: renderSchema(schema), policies };
}
