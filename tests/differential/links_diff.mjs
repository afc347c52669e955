// The differential test of Cedar templates and links: random templates
// (`?principal` and `?resource` in the `==`, `in` and `is .. in` forms),
// static policies, links (the Cedar CLI's --template-linked file) and
// requests, decided by `writ authorize --strict` and by Cedar's own engine
// (@cedar-policy/cedar-wasm's isAuthorized with templates and templateLinks).
// Compared per request: the decision, the determining policies and the
// erroring policies (by id: a link by its link id). In about one case in
// four a malformed link is added (an unknown template, a static policy as
// template, a missing or extra slot, a link id already taken); then both
// must refuse the policy set. Each accepted case is also validated by both
// (`writ validate --template-linked` and cedar-wasm's validate, against one
// schema): the findings on links (a slot value of an unknown entity type, an
// action that applies to no filled scope) must be the same, by link id and
// severity.
//
//   node links_diff.mjs --writ PATH [--cases N] [--seed S] [--only I] [--out DIR] [--verbose]
//
// Policies are numbered by position (policy0, policy1, ...) in both engines:
// Cedar is given each by that id. Exit 0 when everything agrees, 1 on any
// disagreement, 2 on usage errors or a broken setup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let cedar;
try {
  cedar = require('@cedar-policy/cedar-wasm/nodejs');
} catch (e) {
  process.stderr.write(`links_diff: cannot load @cedar-policy/cedar-wasm (${e.message.split('\n')[0]});\n` +
                       `  install it with: npm ci --prefix ${path.dirname(new URL(import.meta.url).pathname)} --no-audit --no-fund\n`);
  process.exit(2);
}

function usage(why) {
  process.stderr.write(`links_diff: ${why}\nusage: node links_diff.mjs --writ PATH [--cases N] [--seed S] [--only I] [--out DIR] [--verbose]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const a = { cases: 200, seed: 1, only: null, out: './links-differential-failures', verbose: false, writ: null };
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
  return a;
}

// mulberry32: a small seeded generator, the same on every platform.
function rng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6D2B79F5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
}

const uid = (type, id) => ({ type, id });
const uidText = (u) => `${u.type}::${JSON.stringify(u.id)}`;

const PRINCIPALS = [uid('W', 'ci'), uid('W', 'bot'), uid('W', 'ops'), uid('W', 'ghost'), uid('T', 'build'), uid('T', 'test'),
                    uid('Wx', 'typo')];
const SCHEMA = `entity T; entity W in [T] { level?: Long }; entity F; entity B in [F] { open?: Bool };
action read, write, list appliesTo { principal: W, resource: B, context: { flag?: Bool } };
`;
const RESOURCES = [uid('B', 'logs'), uid('B', 'secret'), uid('B', 'tmp'), uid('B', 'nope'), uid('F', 'ops'), uid('F', 'x')];
const ACTIONS = [uid('Action', 'read'), uid('Action', 'write'), uid('Action', 'list')];

function genEntities(r) {
  const es = [];
  for (const id of ['ci', 'bot', 'ops']) {
    const attrs = r.chance(0.8) ? { level: r.int(5) } : {};
    const parents = ['build', 'test'].filter(() => r.chance(0.4)).map((t) => uid('T', t));
    es.push({ uid: uid('W', id), attrs, parents });
  }
  for (const id of ['build', 'test']) es.push({ uid: uid('T', id), attrs: {}, parents: [] });
  for (const id of ['logs', 'secret', 'tmp']) {
    const attrs = r.chance(0.7) ? { open: r.chance(0.5) } : {};
    const parents = ['ops', 'x'].filter(() => r.chance(0.5)).map((f) => uid('F', f));
    es.push({ uid: uid('B', id), attrs, parents });
  }
  for (const id of ['ops', 'x']) es.push({ uid: uid('F', id), attrs: {}, parents: [] });
  return es;
}

function genPolicy(r, template) {
  const pSlot = template && r.chance(0.7);
  const rSlot = template && (!pSlot || r.chance(0.5));
  const principal = pSlot
    ? r.pick(['principal == ?principal', 'principal in ?principal', 'principal is W in ?principal', 'principal is T in ?principal'])
    : r.pick(['principal', 'principal == W::"ci"', 'principal in T::"build"', 'principal is W']);
  const resource = rSlot
    ? r.pick(['resource == ?resource', 'resource in ?resource', 'resource is B in ?resource', 'resource is F in ?resource'])
    : r.pick(['resource', 'resource == B::"logs"', 'resource in F::"ops"', 'resource is B']);
  const action = r.pick(['action', 'action == Action::"read"', 'action in [Action::"read", Action::"write"]']);
  const cond = r.pick(['', '', ' when { context.flag }', ' unless { resource has open && resource.open }',
                       ' when { principal.level > 1 }', ' when { resource.open }', ' unless { context has flag }']);
  const effect = r.chance(0.7) ? 'permit' : 'forbid';
  return { text: `${effect}(${principal}, ${action}, ${resource})${cond};`, pSlot, rSlot, template: pSlot || rSlot };
}

function genCase(seed) {
  const r = rng(seed);
  const policies = [];
  const n = 3 + r.int(4);
  for (let i = 0; i < n; ++i) policies.push(genPolicy(r, r.chance(0.6)));
  const links = [];
  policies.forEach((p, i) => {
    if (!p.template) return;
    const k = r.int(4);
    for (let j = 0; j < k; ++j) {
      const values = {};
      if (p.pSlot) values['?principal'] = r.pick(PRINCIPALS);
      if (p.rSlot) values['?resource'] = r.pick(RESOURCES);
      links.push({ templateId: `policy${i}`, newId: `grant-${i}-${j}`, values });
    }
  });
  let bad = null;
  if (r.chance(0.25)) {
    const templates = policies.map((p, i) => (p.template ? i : -1)).filter((i) => i >= 0);
    const statics = policies.map((p, i) => (p.template ? -1 : i)).filter((i) => i >= 0);
    const kinds = ['unknown-template', 'duplicate-link-id'];
    if (statics.length > 0) kinds.push('static-template', 'link-id-of-policy');
    if (templates.length > 0) kinds.push('missing-slot', 'extra-slot');
    bad = r.pick(kinds);
    const t = templates.length > 0 ? r.pick(templates) : 0;
    const full = () => {
      const v = {};
      if (policies[t]?.pSlot) v['?principal'] = r.pick(PRINCIPALS);
      if (policies[t]?.rSlot) v['?resource'] = r.pick(RESOURCES);
      return v;
    };
    if (bad === 'unknown-template') links.push({ templateId: `policy${n + 3}`, newId: 'bad', values: {} });
    if (bad === 'static-template') links.push({ templateId: `policy${r.pick(statics)}`, newId: 'bad', values: {} });
    if (bad === 'link-id-of-policy') {
      if (templates.length === 0) bad = 'unknown-template';
      links.push({ templateId: `policy${templates.length > 0 ? t : n + 3}`, newId: `policy${r.pick(statics)}`, values: full() });
    }
    if (bad === 'duplicate-link-id') {
      if (templates.length === 0) {
        bad = 'unknown-template';
        links.push({ templateId: `policy${n + 3}`, newId: 'bad', values: {} });
      } else {
        links.push({ templateId: `policy${t}`, newId: 'dup', values: full() });
        links.push({ templateId: `policy${t}`, newId: 'dup', values: full() });
      }
    }
    if (bad === 'missing-slot') {
      const v = full();
      delete v[policies[t].pSlot ? '?principal' : '?resource'];
      links.push({ templateId: `policy${t}`, newId: 'bad', values: v });
    }
    if (bad === 'extra-slot') {
      // A slot the template lacks (with both slots there is none: one is
      // dropped instead, a missing slot).
      const v = full();
      const p = policies[t];
      if (p.pSlot && p.rSlot) delete v[r.pick(['?principal', '?resource'])];
      else if (p.pSlot) v['?resource'] = r.pick(RESOURCES);
      else v['?principal'] = r.pick(PRINCIPALS);
      links.push({ templateId: `policy${t}`, newId: 'bad', values: v });
    }
  }
  const entities = genEntities(r);
  const requests = [];
  for (let i = 0; i < 10; ++i) {
    const context = r.chance(0.3) ? {} : { flag: r.chance(0.5) };
    requests.push({ principal: r.pick(PRINCIPALS), action: r.pick(ACTIONS), resource: r.pick(RESOURCES), context });
  }
  return { policies, links, bad, entities, requests };
}

function cedarDecide(c) {
  const staticPolicies = {};
  const templates = {};
  c.policies.forEach((p, i) => { (p.template ? templates : staticPolicies)[`policy${i}`] = p.text; });
  const out = [];
  for (const q of c.requests) {
    const a = cedar.isAuthorized({ ...q, policies: { staticPolicies, templates, templateLinks: c.links }, entities: c.entities });
    if (a.type !== 'success') return { refused: a.errors.map((e) => e.message).join('; ') };
    const d = a.response;
    out.push({ decision: d.decision, reasons: [...d.diagnostics.reason].sort(),
               errors: d.diagnostics.errors.map((e) => e.policyId).sort() });
  }
  return { decisions: out };
}

function writDecide(writ, c, dir) {
  fs.writeFileSync(path.join(dir, 'policies.cedar'), c.policies.map((p) => p.text).join('\n') + '\n');
  const links = c.links.map((l) => ({ template_id: l.templateId, link_id: l.newId,
                                      args: Object.fromEntries(Object.entries(l.values).map(([k, v]) => [k, uidText(v)])) }));
  fs.writeFileSync(path.join(dir, 'links.json'), JSON.stringify(links, null, 1) + '\n');
  fs.writeFileSync(path.join(dir, 'entities.json'), JSON.stringify(c.entities) + '\n');
  fs.writeFileSync(path.join(dir, 'requests.jsonl'), c.requests.map((q) => JSON.stringify(q)).join('\n') + '\n');
  const res = spawnSync(writ, ['authorize', '--strict', '--policies', path.join(dir, 'policies.cedar'),
                               '--entities', path.join(dir, 'entities.json'), '--template-linked', path.join(dir, 'links.json'),
                               '--requests', path.join(dir, 'requests.jsonl')], { encoding: 'utf8' });
  if (res.error) throw res.error;
  if (res.status === 2) return { refused: res.stderr.trim() };
  if (res.status !== 0) throw new Error(`writ authorize exited ${res.status}: ${res.stderr}`);
  const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l));
  return { decisions: lines.map((d) => ({ decision: d.decision, reasons: [...d.reasons].sort(),
                                          errors: d.errors.map((e) => e.policy).sort() })) };
}

// Findings on links only, as "id error|warning", sorted.
function cedarLinkFindings(c) {
  const staticPolicies = {};
  const templates = {};
  c.policies.forEach((p, i) => { (p.template ? templates : staticPolicies)[`policy${i}`] = p.text; });
  const a = cedar.validate({ schema: SCHEMA, policies: { staticPolicies, templates, templateLinks: c.links },
                             validationSettings: { mode: 'strict' } });
  if (a.type !== 'success') throw new Error(`cedar validate failed: ${JSON.stringify(a.errors)}`);
  const links = new Set(c.links.map((l) => l.newId));
  return [...a.validationErrors.map((e) => `${e.policyId} error`), ...a.validationWarnings.map((e) => `${e.policyId} warning`)]
    .filter((f) => links.has(f.split(' ')[0])).sort();
}

function writLinkFindings(writ, c, dir) {
  fs.writeFileSync(path.join(dir, 'schema.cedarschema'), SCHEMA);
  const res = spawnSync(writ, ['validate', '--strict', '--schema', path.join(dir, 'schema.cedarschema'), '--policies',
                               path.join(dir, 'policies.cedar'), '--template-linked', path.join(dir, 'links.json'),
                               '--format', 'json'], { encoding: 'utf8' });
  if (res.error) throw res.error;
  if (res.status === 2) throw new Error(`writ validate exited 2: ${res.stderr}`);
  const links = new Set(c.links.map((l) => l.newId));
  return JSON.parse(res.stdout).map((f) => `${f.policy} ${f.severity}`).filter((f) => links.has(f.split(' ')[0])).sort();
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'links-diff-'));
  fs.rmSync(args.out, { recursive: true, force: true });
  let agreed = 0, refusedBoth = 0, decisions = 0, allows = 0, byLink = 0, erroring = 0, linkFindings = 0;
  const failures = [];
  const first = args.only ?? 0, last = args.only ?? args.cases - 1;
  for (let i = first; i <= last; ++i) {
    const seed = (args.seed * 1000003 + i) >>> 0;
    const c = genCase(seed);
    const want = cedarDecide(c);
    const got = writDecide(args.writ, c, tmp);
    let why = null;
    if (want.refused || got.refused) {
      if (!(want.refused && got.refused)) {
        why = `Cedar ${want.refused ? `refuses (${want.refused})` : 'accepts'}, writ ${got.refused ? `refuses (${got.refused})` : 'accepts'}`;
      } else {
        ++refusedBoth;
      }
      if (c.bad && !want.refused) why = why ?? `Cedar accepts a malformed link (${c.bad}): the generator is wrong`;
    } else {
      if (c.bad) why = `both accept a malformed link (${c.bad})`;
      const wantFindings = cedarLinkFindings(c);
      const gotFindings = writLinkFindings(args.writ, c, tmp);
      linkFindings += wantFindings.length;
      if (JSON.stringify(wantFindings) !== JSON.stringify(gotFindings) && !why) {
        why = `validation of the links: Cedar ${JSON.stringify(wantFindings)}, writ ${JSON.stringify(gotFindings)}`;
      }
      want.decisions.forEach((w, k) => {
        const g = got.decisions[k];
        ++decisions;
        if (w.decision === 'allow') ++allows;
        byLink += w.reasons.filter((id) => id.startsWith('grant-')).length > 0 ? 1 : 0;
        erroring += w.errors.length > 0 ? 1 : 0;
        if (JSON.stringify(w) !== JSON.stringify(g) && !why) {
          why = `request ${k} (${JSON.stringify(c.requests[k])}): Cedar ${JSON.stringify(w)}, writ ${JSON.stringify(g)}`;
        }
      });
    }
    if (why) {
      failures.push({ i, why });
      const dir = path.join(args.out, `case-${i}`);
      fs.mkdirSync(dir, { recursive: true });
      for (const f of fs.readdirSync(tmp)) fs.copyFileSync(path.join(tmp, f), path.join(dir, f));
      fs.writeFileSync(path.join(dir, 'why.txt'), why + '\n');
    } else {
      ++agreed;
    }
    if (args.verbose) process.stdout.write(`case ${i}: ${why ?? 'agree'}\n`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const f of failures.slice(0, 10)) process.stdout.write(`case ${f.i} (--only ${f.i} --seed ${args.seed}): ${f.why}\n`);
  process.stdout.write(`${agreed} cases agree (${refusedBoth} refused by both), ${failures.length} disagree; ` +
                       `${decisions} decisions: ${allows} allow, ${byLink} by a link, ${erroring} with errors; ` +
                       `${linkFindings} validation findings on links\n`);
  // The run is worth something only when every outcome occurs.
  if (failures.length === 0 && (refusedBoth === 0 || allows === 0 || allows === decisions || byLink === 0 || erroring === 0 ||
                                linkFindings === 0)) {
    process.stdout.write('the generated cases miss an outcome (refusal, allow, deny, a link deciding, an error, a link finding)\n');
    process.exit(1);
  }
  process.exit(failures.length > 0 ? 1 : 0);
}

main();
