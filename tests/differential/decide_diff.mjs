// The differential test of deciding against Cedar's own engine
// (@cedar-policy/cedar-wasm's isAuthorized): gen.mjs's random schemas and
// policies (every operator, extension function and kind of fault, so that
// many conditions err at run time), with random entities and requests drawn
// from the schema (attribute values of every type, hierarchies, tags,
// extension values, longs near the overflow bound, unknown entities,
// actions in groups), decided by `writ authorize --strict` and by Cedar.
//
// Each case is decided twice: without a schema (entities and requests read
// schemaless by both), and with it (both read them through the schema and
// check requests against it; a few entities and requests are made not to
// conform, which both must refuse). Compared per request: refused or not,
// the decision, the determining policies and the erroring policies.
//
//   node decide_diff.mjs --writ PATH [--cases N] [--seed S] [--only I] [--out DIR] [--verbose]
//
// Exit 0 when everything agrees, 1 on any disagreement (each is written
// under --out, default ./decide-differential-failures, with `why.txt`), 2
// on usage errors or a broken setup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { caseSeed, genCase, kExtCtor, kExtLits, kIds, kStrings, makeRng } from './gen.mjs';

const require = createRequire(import.meta.url);
let cedar;
try {
  cedar = require('@cedar-policy/cedar-wasm/nodejs');
} catch (e) {
  process.stderr.write(`decide_diff: cannot load @cedar-policy/cedar-wasm (${e.message.split('\n')[0]});\n` +
                       `  install it with: npm ci --prefix ${path.dirname(new URL(import.meta.url).pathname)} --no-audit --no-fund\n`);
  process.exit(2);
}

function usage(why) {
  process.stderr.write(`decide_diff: ${why}\nusage: node decide_diff.mjs --writ PATH [--cases N] [--seed S] [--only I] [--out DIR] [--verbose]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const a = { cases: 200, seed: 1, only: null, out: './decide-differential-failures', verbose: false, writ: null };
  for (let i = 0; i < argv.length; ++i) {
    const f = argv[i];
    const val = () => { if (i + 1 >= argv.length) usage(`${f} needs a value`); return argv[++i]; };
    if (f === '--writ') a.writ = val();
    else if (f === '--cases') a.cases = Number(val());
    else if (f === '--seed') a.seed = Number(val());
    else if (f === '--only') a.only = Number(val());
    else if (f === '--out') a.out = val();
    else if (f === '--verbose') a.verbose = true;
    else usage(`unknown flag ${f}`);
  }
  if (!a.writ) usage('--writ is required');
  if (!Number.isInteger(a.cases) || a.cases < 1) usage('--cases takes a positive integer');
  return a;
}

// ---------------------------------------------------------------------------
// Entities and requests drawn from a schema (gen.mjs's schema object).

class DataGen {
  constructor(rng, schema) {
    this.rng = rng;
    this.s = schema;
    this.q = (n) => (schema.ns ? `${schema.ns}::${n}` : n);
    this.commons = new Map(schema.common.map((c) => [c.name, c.type]));
    this.enums = new Map(schema.enums.map((e) => [e.name, e]));
    // Each entity type's ids: a few of kIds. Some references name ids
    // that are not in the store.
    this.ids = new Map(schema.entities.map((e) => [e.name, rng.shuffle(kIds).slice(0, rng.range(1, 3))]));
    this.broken = [];   // what was made not to conform to the schema
  }

  resolve(t) {
    let guard = 0;
    while (t.k === 'Common' && guard++ < 10) t = this.commons.get(t.name);
    return t;
  }
  uid(type) {
    const rng = this.rng;
    const en = this.enums.get(type);
    if (en) return { type: this.q(type), id: rng.chance(0.97) ? rng.pick(en.ids) : 'purple' };
    const ids = this.ids.get(type) ?? kIds;
    return { type: this.q(type), id: rng.chance(0.9) ? rng.pick(ids) : 'ghost' };
  }
  long() {
    const rng = this.rng;
    return rng.weighted([
      [8, () => rng.range(0, 100)], [2, () => -rng.range(1, 1000)],
      // Products and sums of these overflow a 64-bit long (both engines err);
      // JSON numbers stay within 2^53 so that JavaScript reads them exactly.
      [1, () => rng.pick([9007199254740991, -9007199254740991, 4294967296, 3037000500])],
    ])();
  }
  ext(name) {
    const arg = this.rng.pick(kExtLits[name]);
    return { __extn: { fn: kExtCtor[name], arg } };
  }
  // A JSON value of type t (depth-bounded).
  value(t, depth = 0) {
    const rng = this.rng;
    t = this.resolve(t);
    switch (t.k) {
      case 'Long': return this.long();
      case 'String': return rng.pick(kStrings);
      case 'Bool': return rng.chance(0.5);
      case 'Entity': return { __entity: this.uid(t.name) };
      case 'Ext': return this.ext(t.name);
      case 'Set': {
        const n = depth > 3 ? 0 : rng.range(0, 3);
        return Array.from({ length: n }, () => this.value(t.elem, depth + 1));
      }
      case 'Record': return this.record(t.attrs, depth + 1);
    }
    throw new Error(`type ${t.k}`);
  }
  record(attrs, depth = 0) {
    const out = {};
    for (const a of attrs) if (a.required || this.rng.chance(0.6)) out[a.name] = this.value(a.type, depth);
    return out;
  }
  // Sometimes, one thing that does not conform: the schemaless read takes
  // it, the schema's read refuses it.
  maybeBreak(obj, what) {
    const rng = this.rng;
    if (!rng.chance(0.04)) return obj;
    const keys = Object.keys(obj);
    if (keys.length > 0 && rng.chance(0.6)) {
      const k = rng.pick(keys);
      obj[k] = typeof obj[k] === 'string' ? 7 : 'wrong';
      this.broken.push(`${what}: ${k} of the wrong type`);
    } else {
      obj.undeclared_attr = 1;
      this.broken.push(`${what}: an undeclared attribute`);
    }
    return obj;
  }

  entities() {
    const rng = this.rng;
    const out = [];
    for (const e of this.s.entities) {
      for (const id of this.ids.get(e.name)) {
        const attrs = this.maybeBreak(e.attrs ? this.record(e.attrs) : {}, `${e.name}::${id}`);
        const parents = [];
        for (const p of e.parents) {
          if (rng.chance(0.5)) parents.push(this.uid(p));
        }
        const entity = { uid: { type: this.q(e.name), id }, attrs, parents };
        if (e.tags) {
          const tags = {};
          for (const k of rng.shuffle(kStrings).slice(0, rng.range(0, 2))) tags[k] = this.value(e.tags);
          entity.tags = tags;
        }
        out.push(entity);
      }
    }
    return out;
  }
  // The schema's actions as entities, with their groups: what a schemaless
  // engine needs to know `action in Group`.
  actionEntities() {
    return this.s.actions.map((a) => ({
      uid: { type: this.q('Action'), id: a.name },
      attrs: {},
      parents: a.parents.map((p) => ({ type: this.q('Action'), id: p })),
    }));
  }
  request() {
    const rng = this.rng;
    const actions = this.s.actions.filter((a) => a.appliesTo);
    const a = rng.pick(actions);
    const at = a.appliesTo;
    const types = this.s.entities.map((e) => e.name);
    const pick = (allowed) => (rng.chance(0.93) ? rng.pick(allowed) : rng.pick(types));
    const ctx = at.context ? this.resolve(at.context) : null;
    let context = ctx ? this.maybeBreak(this.record(ctx.attrs), 'context') : {};
    if (!ctx && rng.chance(0.05)) { context = { stray: 1 }; this.broken.push('context: an attribute where none is declared'); }
    return {
      principal: this.uid(pick(at.principals)),
      action: { type: this.q('Action'), id: rng.chance(0.97) ? a.name : rng.pick(this.s.actions).name },
      resource: this.uid(pick(at.resources)),
      context,
    };
  }
}

function makeCase(seed) {
  const c = genCase(seed, 6);
  const d = new DataGen(makeRng(seed ^ 0x5eed), c.schema);
  const entities = d.entities();
  const requests = Array.from({ length: 8 }, () => d.request());
  return { ...c, entities, actionEntities: d.actionEntities(), requests, broken: d.broken };
}

// ---------------------------------------------------------------------------
// The two engines.

const policySet = (c) => c.policies.map((p) => p.text).join('\n') + '\n';

// Per request: {refused} or {decision, reasons, errors}; or {refused} for
// the whole case when the policies do not parse.
function cedarDecide(c, withSchema) {
  const entities = withSchema ? c.entities : [...c.entities, ...c.actionEntities];
  const out = [];
  for (const q of c.requests) {
    const call = { ...q, policies: { staticPolicies: policySet(c) }, entities };
    if (withSchema) call.schema = c.schemaText;
    const a = cedar.isAuthorized(call);
    if (a.type !== 'success') {
      out.push({ refused: true, why: a.errors.map((e) => e.message).join('; ') });
      continue;
    }
    const r = a.response;
    out.push({ decision: r.decision, reasons: [...r.diagnostics.reason].sort(),
               errors: r.diagnostics.errors.map((e) => e.policyId).sort() });
  }
  return out;
}

function writDecide(writ, c, dir, withSchema) {
  fs.writeFileSync(path.join(dir, 'policies.cedar'), policySet(c));
  fs.writeFileSync(path.join(dir, 'schema.cedarschema'), c.schemaText);
  const entities = withSchema ? c.entities : [...c.entities, ...c.actionEntities];
  const ef = path.join(dir, withSchema ? 'entities.json' : 'entities-schemaless.json');
  fs.writeFileSync(ef, JSON.stringify(entities, null, 1) + '\n');
  fs.writeFileSync(path.join(dir, 'requests.jsonl'), c.requests.map((q) => JSON.stringify(q)).join('\n') + '\n');
  const args = ['authorize', '--strict', '--policies', path.join(dir, 'policies.cedar'), '--entities', ef,
                '--requests', path.join(dir, 'requests.jsonl')];
  if (withSchema) args.push('--schema', path.join(dir, 'schema.cedarschema'));
  const res = spawnSync(writ, args, { encoding: 'utf8' });
  if (res.error) throw res.error;
  if (res.status === 2) return c.requests.map(() => ({ refused: true, why: res.stderr.trim() }));
  if (res.status !== 0) throw new Error(`writ authorize exited ${res.status}: ${res.stderr}`);
  return res.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((d) => {
    if (d.errors.some((e) => e.policy === '')) return { refused: true, why: d.errors.map((e) => e.message).join('; ') };
    return { decision: d.decision, reasons: [...d.reasons].sort(), errors: d.errors.map((e) => e.policy).sort() };
  });
}

const same = (w, g) => (w.refused || g.refused ? !!w.refused === !!g.refused
                                              : JSON.stringify(w) === JSON.stringify(g));

function main() {
  const args = parseArgs(process.argv.slice(2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'decide-diff-'));
  fs.rmSync(args.out, { recursive: true, force: true });
  const n = { agreed: 0, decisions: 0, allows: 0, erroring: 0, refused: 0, schemaRefused: 0 };
  const failures = [];
  const first = args.only ?? 0, last = args.only ?? args.cases - 1;
  for (let i = first; i <= last; ++i) {
    const c = makeCase(caseSeed(args.seed, i));
    let why = null;
    for (const withSchema of [false, true]) {
      const want = cedarDecide(c, withSchema);
      const got = writDecide(args.writ, c, tmp, withSchema);
      want.forEach((w, k) => {
        const g = got[k];
        ++n.decisions;
        if (w.refused) ++n[withSchema ? 'schemaRefused' : 'refused'];
        else if (w.decision === 'allow') ++n.allows;
        if (w.errors?.length > 0) ++n.erroring;
        if (!same(w, g) && !why) {
          why = `${withSchema ? 'with the schema' : 'without a schema'}, request ${k} ` +
                `(${JSON.stringify(c.requests[k])}): Cedar ${JSON.stringify(w)}, writ ${JSON.stringify(g)}`;
        }
      });
    }
    if (why) {
      failures.push({ i, why });
      const dir = path.join(args.out, `case-${i}`);
      fs.mkdirSync(dir, { recursive: true });
      for (const f of fs.readdirSync(tmp)) fs.copyFileSync(path.join(tmp, f), path.join(dir, f));
      fs.writeFileSync(path.join(dir, 'why.txt'), `${why}\nmade not to conform: ${JSON.stringify(c.broken)}\n`);
    } else {
      ++n.agreed;
    }
    if (args.verbose) process.stdout.write(`case ${i}: ${why ?? 'agree'}\n`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const f of failures.slice(0, 10)) process.stdout.write(`case ${f.i} (--only ${f.i} --seed ${args.seed}): ${f.why}\n`);
  process.stdout.write(`${n.agreed} cases agree, ${failures.length} disagree; ${n.decisions} decisions: ${n.allows} allow, ` +
                       `${n.erroring} with erroring policies, ${n.refused} refused without a schema, ` +
                       `${n.schemaRefused} refused with it\n`);
  // The run is worth something only when every outcome occurs.
  if (failures.length === 0 && args.only === null &&
      (n.allows === 0 || n.erroring === 0 || n.schemaRefused === 0 || n.allows + n.refused + n.schemaRefused === n.decisions)) {
    process.stdout.write('the generated cases miss an outcome (allow, deny, an erroring policy, a refusal with the schema)\n');
    process.exit(1);
  }
  process.exit(failures.length > 0 ? 1 : 0);
}

main();
