// The differential test of `writ validate` against Cedar's own validator
// (@cedar-policy/cedar-wasm, strict mode): random schemas and policies from
// gen.mjs, each policy's verdict (has an error or not) from both, compared.
//
//   node validate_diff.mjs --writ PATH [--cases N] [--seed S] [--policies K]
//                          [--only I] [--out DIR] [--fail-on-warnings]
//                          [--no-shrink] [--show N] [--verbose]
//   node validate_diff.mjs --cedar-only [--cases N] [--seed S] ...
//
//   --writ PATH         the writ binary (`writ validate --format json` is run
//                       once per case: one schema, K policies in one file)
//   --cedar-only        no writ: only Cedar's verdicts, to check the generator
//                       (Cedar accepts the schemas, the valid/invalid split)
//   --cases N           cases to generate (default 300)
//   --seed S            the run's seed (default 1); case I's seed derives from
//                       S and I, so `--seed S --only I` reruns one case
//   --policies K        policies per case (default 4)
//   --out DIR           each disagreement is written under DIR as a schema and a
//                       one-policy file with both verdicts (default
//                       ./differential-failures; a previous run's cases there
//                       are removed first)
//   --fail-on-warnings  a policy Cedar warns about and writ does not (or the
//                       reverse) fails the run too (by default: counted, shown)
//   --no-shrink         report disagreements as generated (by default each is
//                       shrunk first: conditions, scope constraints and schema
//                       declarations are dropped while the verdicts still differ)
//   --show N            print at most N disagreements in full (default 10)
//   --replay DIR        both verdicts on one written-out disagreement (DIR holds
//                       schema.cedarschema and policy.cedar), nothing generated
//
// Policies are numbered by position (policy0, policy1, ...) in both engines;
// each also carries @id("policyN") with its own position.
//
// Exit 0 when every verdict agrees, 1 on any disagreement (or when writ's exit
// code does not match its verdicts), 2 on usage errors or a broken setup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { caseSeed, genCase } from './gen.mjs';

const require = createRequire(import.meta.url);
let cedar;
try {
  cedar = require('@cedar-policy/cedar-wasm/nodejs');
} catch (e) {
  process.stderr.write(`validate_diff: cannot load @cedar-policy/cedar-wasm (${e.message.split('\n')[0]});\n` +
                       `  install it with: npm ci --prefix ${path.dirname(new URL(import.meta.url).pathname)} --no-audit --no-fund\n`);
  process.exit(2);
}

function usage(why) {
  process.stderr.write(`validate_diff: ${why}\nusage: node validate_diff.mjs (--writ PATH | --cedar-only) ` +
                       '[--cases N] [--seed S] [--policies K] [--only I] [--out DIR] [--fail-on-warnings] ' +
                       '[--no-shrink] [--show N] [--verbose]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const a = { cases: 300, seed: 1, policies: 4, only: null, out: 'differential-failures', show: 10,
              failOnWarnings: false, shrink: true, cedarOnly: false, verbose: false, writ: null };
  const num = (flag, v, lo) => {
    if (!/^\d+$/.test(v ?? '') || Number(v) < lo) usage(`${flag} takes an integer >= ${lo}`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; ++i) {
    const f = argv[i];
    switch (f) {
      case '--writ': a.writ = argv[++i]; if (!a.writ) usage('--writ needs a path'); break;
      case '--cedar-only': a.cedarOnly = true; break;
      case '--cases': a.cases = num(f, argv[++i], 1); break;
      case '--seed': a.seed = num(f, argv[++i], 0); break;
      case '--policies': a.policies = num(f, argv[++i], 1); break;
      case '--only': a.only = num(f, argv[++i], 0); break;
      case '--out': a.out = argv[++i]; if (!a.out) usage('--out needs a directory'); break;
      case '--show': a.show = num(f, argv[++i], 0); break;
      case '--fail-on-warnings': a.failOnWarnings = true; break;
      case '--no-shrink': a.shrink = false; break;
      case '--verbose': a.verbose = true; break;
      case '--replay': a.replay = argv[++i]; if (!a.replay) usage('--replay needs a directory'); break;
      default: usage(`unknown argument ${f}`);
    }
  }
  if (!a.cedarOnly && !a.writ) usage('--writ PATH or --cedar-only is required');
  if (a.writ && !fs.existsSync(a.writ)) usage(`no writ binary at ${a.writ}`);
  return a;
}

const msg = (e) => e.message + (e.help ? ` (help: ${e.help})` : '');

// Cedar's verdicts: {schemaOk, schemaErrors, byPolicy: Map(id -> {errors, warnings})}.
function cedarVerdicts(schemaText, policies) {
  const sc = cedar.checkParseSchema(schemaText);
  if (sc.type !== 'success') return { schemaOk: false, schemaErrors: sc.errors.map(msg) };
  const byPolicy = new Map(policies.map((p) => [p.id, { errors: [], warnings: [] }]));
  if (policies.length === 0) return { schemaOk: true, byPolicy };
  const r = cedar.validate({ schema: schemaText, policies: { staticPolicies: policies.map((p) => p.text).join('\n\n') },
                             validationSettings: { mode: 'strict' } });
  if (r.type !== 'success') throw new Error(`Cedar's validate failed: ${JSON.stringify(r.errors.map(msg))}`);
  for (const e of r.validationErrors) byPolicy.get(e.policyId).errors.push(msg(e.error));
  for (const e of r.validationWarnings) byPolicy.get(e.policyId).warnings.push(msg(e.error));
  return { schemaOk: true, byPolicy };
}

// writ's verdicts, from one run of `writ validate --format json`.
let scratch = null;
function writVerdicts(writ, schemaText, policies) {
  scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'writ-diff-'));
  const schemaFile = path.join(scratch, 'schema.cedarschema');
  const policyFile = path.join(scratch, 'policies.cedar');
  fs.writeFileSync(schemaFile, schemaText);
  fs.writeFileSync(policyFile, policies.map((p) => p.text).join('\n\n') + '\n');
  const r = spawnSync(writ, ['validate', '--strict', '--schema', schemaFile, '--policies', policyFile, '--format', 'json'],
                      { encoding: 'utf8', maxBuffer: 64 << 20 });
  const out = { exit: r.status, stderr: r.stderr, stdout: r.stdout, byPolicy: new Map(), unattributed: [] };
  if (r.error) throw new Error(`cannot run ${writ}: ${r.error.message}`);
  let diags = [];
  try {
    diags = r.stdout.trim() === '' ? [] : JSON.parse(r.stdout);
  } catch (e) {
    out.parseError = `stdout is not JSON: ${e.message}`;
    return out;
  }
  if (!Array.isArray(diags)) {
    out.parseError = 'stdout is not a JSON array';
    return out;
  }
  for (const p of policies) out.byPolicy.set(p.id, { errors: [], warnings: [] });
  for (const d of diags) {
    const v = out.byPolicy.get(d.policy);
    const text = `${d.code ?? ''}${d.code ? ': ' : ''}${d.message} [${d.line}:${d.column}]`;
    if (!v) out.unattributed.push(`${d.severity} ${text} (policy ${JSON.stringify(d.policy)})`);
    else if (d.severity === 'error') v.errors.push(text);
    else if (d.severity === 'warning') v.warnings.push(text);
    else out.unattributed.push(`unknown severity ${JSON.stringify(d.severity)}: ${text}`);
  }
  return out;
}

// Gives the policies ids by position, each with a matching @id annotation.
function renumber(policies) {
  return policies.map((p, i) => ({ ...p, id: `policy${i}`, text: p.text.replace(/^@id\("[^"]*"\)/, `@id("policy${i}")`) }));
}

// The disagreement on one policy under one schema, or null when they agree.
// kind: 'error' | 'warning' | 'load'.
function compareOne(writ, schemaText, policy) {
  const p = renumber([policy]);
  const c = cedarVerdicts(schemaText, p);
  const w = writVerdicts(writ, schemaText, p);
  return disagreement(c, w, p[0].id);
}
function disagreement(c, w, id) {
  if (!c.schemaOk) return w.exit === 2 ? null : { kind: 'load', cedar: c.schemaErrors, writ: w.byPolicy.get(id) ?? null };
  if (w.exit === 2 || w.parseError) return { kind: 'load', cedar: null, writ: w.parseError ?? w.stderr.trim() };
  const cv = c.byPolicy.get(id), wv = w.byPolicy.get(id);
  if ((cv.errors.length > 0) !== (wv.errors.length > 0)) return { kind: 'error', cedar: cv, writ: wv };
  if ((cv.warnings.length > 0) !== (wv.warnings.length > 0)) return { kind: 'warning', cedar: cv, writ: wv };
  return null;
}

// Shrinks a disagreeing (schema, policy) pair while the same kind of
// disagreement remains: drops conditions, loosens the scope, drops schema
// declarations (one rendered line or multi-line action at a time).
function shrink(writ, schemaText, policy, kind, writErrs) {
  let budget = 1500;  // engine runs
  const still = (s, p) => {
    if (--budget < 0) return false;
    try {
      const d = compareOne(writ, s, p);
      return d !== null && d.kind === kind && (kind !== 'error' || (d.writ.errors.length > 0) === writErrs);
    } catch {
      return false;
    }
  };
  let s = schemaText, p = policy;
  for (let progress = true, rounds = 0; progress && rounds < 20; ++rounds) {
    progress = false;
    // Policy: drop each when/unless clause; loosen each scope constraint.
    const lines = p.text.split('\n');
    for (let i = lines.length - 1; i >= 0; --i) {
      const l = lines[i];
      let cand = null;
      if (/^(when|unless) \{/.test(l)) {
        cand = lines.filter((_, j) => j !== i);
        if (l.endsWith(';')) cand[cand.length - 1] = cand[cand.length - 1].replace(/;?$/, ';');
      } else {
        const m = /^  (principal|action|resource)( .+?)(,?)$/.exec(l);
        if (m) cand = lines.map((x, j) => (j === i ? `  ${m[1]}${m[3]}` : x));
      }
      if (!cand) continue;
      const text = cand.join('\n').replace(/;*$/, ';').replace(/\)\n;$/, ');');
      const np = { ...p, text };
      if (still(s, np)) { p = np; progress = true; }
    }
    // Conditions: replace a parenthesised expression by one of its operands
    // or by a literal.
    for (const cand of subtermCandidates(p.text)) {
      const np = { ...p, text: cand };
      if (still(s, np)) { p = np; progress = true; break; }
    }
    // Schema: drop declarations.
    const decls = splitDecls(s);
    for (let i = decls.items.length - 1; i >= 0; --i) {
      const ns = decls.join(decls.items.filter((_, j) => j !== i));
      if (still(ns, p)) { s = ns; decls.items.splice(i, 1); progress = true; }
    }
  }
  return { schemaText: s, policy: p };
}
// Policies with one parenthesised group of a condition replaced by one of its
// top-level operands (of &&, ||, comparisons, if-then-else, like, in, has,
// is) or by a literal; smaller replacements first.
function subtermCandidates(text) {
  const start = text.search(/\n(when|unless) \{/);
  if (start < 0) return [];
  const groups = [];
  const stack = [];
  let inString = false;
  for (let i = start; i < text.length; ++i) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') ++i;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '(') stack.push(i);
    else if (ch === ')' && stack.length > 0) groups.push([stack.pop(), i]);
  }
  const out = [];
  for (const [i, j] of groups.sort((a, b) => (b[1] - b[0]) - (a[1] - a[0]))) {
    const inner = text.slice(i + 1, j);
    const repl = topLevelOperands(inner).map((x) => `(${x})`);
    if (text[i - 1] !== '(' && !/[A-Za-z_]$/.test(text.slice(0, i))) repl.push('true', 'false', '1');
    for (const r of repl) if (r !== `(${inner})`) out.push(text.slice(0, i) + r + text.slice(j + 1));
  }
  return out;
}
function topLevelOperands(inner) {
  const seps = [' && ', ' || ', ' == ', ' != ', ' < ', ' <= ', ' > ', ' >= ', ' + ', ' - ', ' * ',
                ' like ', ' in ', ' has ', ' is ', 'if ', ' then ', ' else ', ', '];
  const parts = [];
  let depth = 0, inString = false, last = 0;
  for (let i = 0; i < inner.length; ++i) {
    const ch = inner[i];
    if (inString) {
      if (ch === '\\') ++i;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') { inString = true; continue; }
    if ('([{'.includes(ch)) ++depth;
    else if (')]}'.includes(ch)) --depth;
    else if (depth === 0) {
      const sep = seps.find((x) => inner.startsWith(x, i));
      if (sep) {
        if (i > last) parts.push(inner.slice(last, i));
        last = i + sep.length;
        i += sep.length - 1;
      }
    }
  }
  if (parts.length === 0) return [];
  parts.push(inner.slice(last));
  return parts.map((x) => x.trim()).filter((x) => x.length > 0 && !/^(like|has|is)\b/.test(x));
}

function splitDecls(text) {
  const m = /^namespace (\S+) \{\n([\s\S]*)\n\}\n$/.exec(text);
  const body = m ? m[2] : text.replace(/\n$/, '');
  const items = [];
  for (const line of body.split('\n')) {
    if (/^\s*(type|entity|action) /.test(line) || items.length === 0) items.push(line);
    else items[items.length - 1] += `\n${line}`;
  }
  return {
    items,
    join: (xs) => (m ? `namespace ${m[1]} {\n${xs.join('\n')}\n}\n` : `${xs.join('\n')}\n`),
  };
}

function render(v) {
  if (v === null || v === undefined) return '(none)';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.join('\n    ');
  const e = v.errors.length ? v.errors.map((x) => `error: ${x}`) : ['no errors'];
  const w = v.warnings.map((x) => `warning: ${x}`);
  return [...e, ...w].join('\n    ');
}

// --replay DIR: both verdicts on a written-out case (DIR/schema.cedarschema,
// DIR/policy.cedar); exit 1 when they differ on errors.
function replay(args) {
  const schemaText = fs.readFileSync(path.join(args.replay, 'schema.cedarschema'), 'utf8');
  const text = fs.readFileSync(path.join(args.replay, 'policy.cedar'), 'utf8').trim();
  const policy = renumber([{ id: 'policy0', text: text.startsWith('@id(') ? text : `@id("policy0")\n${text}`, faults: [] }])[0];
  const c = cedarVerdicts(schemaText, [policy]);
  process.stdout.write(`--- Cedar\n    ${c.schemaOk ? render(c.byPolicy.get('policy0')) : render(c.schemaErrors)}\n`);
  if (args.cedarOnly) process.exit(0);
  const w = writVerdicts(args.writ, schemaText, [policy]);
  process.stdout.write(`--- writ (exit ${w.exit})\n    ${render(w.byPolicy.get('policy0') ?? w.stderr)}\n`);
  const d = disagreement(c, w, 'policy0');
  process.stdout.write(d ? `${d.kind} disagreement\n` : 'agree\n');
  process.exit(d && (d.kind !== 'warning' || args.failOnWarnings) ? 1 : 0);
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.replay) replay(args);
  const t0 = Date.now();
  const stats = {
    cases: 0, policies: 0, cedarValid: 0, cedarInvalid: 0, cedarWarned: 0, faulted: 0,
    agree: 0, errorMismatch: 0, writFalseError: 0, writMissedError: 0, warningMismatch: 0,
    warningMismatchWithErrors: 0, loadMismatch: 0, exitMismatch: 0, unattributed: 0, schemaRejected: 0,
    droppedUnparseable: 0,
  };
  const faultKinds = new Map();
  const failures = [];
  const indices = args.only !== null ? [args.only] : Array.from({ length: args.cases }, (_, i) => i);

  for (const index of indices) {
    const seed = caseSeed(args.seed, index);
    const c = genCase(seed, args.policies);
    // Only policies Cedar parses: one that does not would fail the whole file.
    const parsed = c.policies.filter((p) => cedar.checkParsePolicySet({ staticPolicies: p.text }).type === 'success');
    stats.droppedUnparseable += c.policies.length - parsed.length;
    if (args.verbose && parsed.length < c.policies.length) {
      for (const p of c.policies.filter((x) => !parsed.includes(x))) process.stderr.write(`unparseable (generator bug):\n${p.text}\n`);
    }
    const policies = renumber(parsed);
    ++stats.cases;
    const cv = cedarVerdicts(c.schemaText, policies);
    if (!cv.schemaOk) ++stats.schemaRejected;

    let wv = null;
    if (!args.cedarOnly) {
      wv = writVerdicts(args.writ, c.schemaText, policies);
      if (stats.cases === 1 && wv.exit === 2 && /unknown|usage|did you mean/i.test(wv.stderr) && !/schema/i.test(wv.stderr)) {
        process.stderr.write(`validate_diff: ${args.writ} has no working \`validate\` command:\n${wv.stderr}`);
        process.exit(2);
      }
      if (cv.schemaOk !== (wv.exit !== 2) || wv.parseError) {
        ++stats.loadMismatch;
        failures.push({ kind: 'load', index, seed, schemaText: c.schemaText, policy: null,
                        cedar: cv.schemaOk ? 'schema accepted' : cv.schemaErrors,
                        writ: wv.parseError ?? `exit ${wv.exit}: ${wv.stderr.trim()}` });
        continue;
      }
      if (wv.unattributed.length > 0) {
        stats.unattributed += wv.unattributed.length;
        failures.push({ kind: 'unattributed', index, seed, schemaText: c.schemaText, policy: null,
                        cedar: null, writ: wv.unattributed });
      }
    }
    if (!cv.schemaOk) continue;

    let anyWritError = false;
    for (const p of policies) {
      ++stats.policies;
      const ce = cv.byPolicy.get(p.id);
      if (ce.errors.length > 0) ++stats.cedarInvalid; else ++stats.cedarValid;
      if (ce.warnings.length > 0) ++stats.cedarWarned;
      if (p.faults.length > 0) ++stats.faulted;
      for (const f of p.faults) {
        const k = faultKinds.get(f) ?? { n: 0, invalid: 0 };
        ++k.n;
        if (ce.errors.length > 0) ++k.invalid;
        faultKinds.set(f, k);
      }
      if (args.cedarOnly) continue;
      const we = wv.byPolicy.get(p.id);
      if (we.errors.length > 0) anyWritError = true;
      const d = disagreement(cv, wv, p.id);
      if (d === null) {
        ++stats.agree;
        continue;
      }
      if (d.kind === 'error') {
        ++stats.errorMismatch;
        if (we.errors.length > 0) ++stats.writFalseError; else ++stats.writMissedError;
      } else {
        ++stats.warningMismatch;
        if (ce.errors.length > 0) ++stats.warningMismatchWithErrors;
        ++stats.agree;  // the error verdicts agree
      }
      failures.push({ kind: d.kind, index, seed, schemaText: c.schemaText, policy: p, cedar: d.cedar, writ: d.writ });
    }
    if (!args.cedarOnly && wv.exit !== (anyWritError ? 1 : 0)) {
      ++stats.exitMismatch;
      failures.push({ kind: 'exit', index, seed, schemaText: c.schemaText, policy: null, cedar: null,
                      writ: `exit ${wv.exit} but ${anyWritError ? 'some' : 'no'} policy has an error` });
    }
  }

  // Report the disagreements: shrunk, written to --out, the first --show printed.
  const fatal = failures.filter((f) => f.kind !== 'warning' || args.failOnWarnings);
  // Errors first, so that --show prints them before any warning.
  failures.sort((a, b) => (a.kind === 'warning') - (b.kind === 'warning'));
  let shown = 0;
  // A previous run's cases would be mistaken for this run's.
  if (fs.existsSync(args.out)) {
    for (const e of fs.readdirSync(args.out)) {
      if (/^seed\d+-case\d+-/.test(e)) fs.rmSync(path.join(args.out, e), { recursive: true, force: true });
    }
  }
  if (failures.length > 0) fs.mkdirSync(args.out, { recursive: true });
  for (const [n, f] of failures.entries()) {
    let { schemaText, policy, cedar: cVerdict, writ: wVerdict } = f;
    // Only the printed ones are shrunk (a shrink costs up to 1500 engine runs).
    if (policy && args.shrink && !args.cedarOnly && (f.kind === 'error' || f.kind === 'warning') && shown < args.show) {
      const s = shrink(args.writ, schemaText, policy, f.kind, f.writ.errors.length > 0);
      schemaText = s.schemaText;
      policy = renumber([s.policy])[0];
      const c = cedarVerdicts(schemaText, [policy]);
      const w = writVerdicts(args.writ, schemaText, [policy]);
      cVerdict = c.byPolicy.get(policy.id);
      wVerdict = w.byPolicy.get(policy.id) ?? wVerdict;
    }
    const dir = path.join(args.out, `seed${args.seed}-case${f.index}-${f.kind}-${n}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'schema.cedarschema'), schemaText);
    if (policy) fs.writeFileSync(path.join(dir, 'policy.cedar'), `${policy.text}\n`);
    const verdicts = { kind: f.kind, seed: args.seed, case: f.index, caseSeed: f.seed, faults: policy?.faults ?? [],
                       cedar: cVerdict, writ: wVerdict };
    fs.writeFileSync(path.join(dir, 'verdicts.json'), `${JSON.stringify(verdicts, null, 2)}\n`);
    if (shown < args.show) {
      ++shown;
      process.stdout.write(`\n=== ${f.kind} disagreement: --seed ${args.seed} --only ${f.index}` +
                           `${policy ? ` (${policy.id}, generated faults: ${policy.faults.join(', ') || 'none'})` : ''}` +
                           ` -> ${dir}\n--- schema\n${schemaText}` +
                           `${policy ? `--- policy\n${policy.text}\n` : ''}` +
                           `--- Cedar\n    ${render(cVerdict)}\n--- writ\n    ${render(wVerdict)}\n`);
    }
  }

  const kinds = [...faultKinds.entries()].sort((a, b) => b[1].n - a[1].n)
                  .map(([k, v]) => `${k} ${v.invalid}/${v.n}`).join(', ');
  const lines = [
    `\nvalidate_diff: seed ${args.seed}, ${stats.cases} cases, ${stats.policies} policies, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    `  Cedar: ${stats.cedarValid} valid, ${stats.cedarInvalid} invalid, ${stats.cedarWarned} with warnings; ` +
    `${stats.schemaRejected} schemas rejected, ${stats.droppedUnparseable} policies dropped as unparseable`,
    `  generated with a fault: ${stats.faulted} (fault kind: invalid/generated: ${kinds})`,
  ];
  if (!args.cedarOnly) {
    lines.push(`  agree on errors: ${stats.agree}/${stats.policies}; error disagreements: ${stats.errorMismatch} ` +
               `(writ errs where Cedar does not: ${stats.writFalseError}; Cedar errs where writ does not: ${stats.writMissedError})`);
    lines.push(`  warning disagreements: ${stats.warningMismatch}${args.failOnWarnings ? ' (failing)' : ' (not failing)'}, ` +
               `${stats.warningMismatchWithErrors} of them on policies with errors; ` +
               `schema load disagreements: ${stats.loadMismatch}; exit-code mismatches: ${stats.exitMismatch}; ` +
               `diagnostics naming no policy: ${stats.unattributed}`);
    if (failures.length > 0) lines.push(`  disagreements written to ${path.resolve(args.out)}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  // A vacuous run (nothing valid or nothing invalid) is a broken generator.
  if (stats.policies >= 50 && (stats.cedarValid < stats.policies / 5 || stats.cedarInvalid < stats.policies / 5)) {
    process.stdout.write('validate_diff: the valid/invalid split is too lopsided: the generator is broken\n');
    process.exit(1);
  }
  if (stats.schemaRejected > 0 || stats.droppedUnparseable > 0) {
    process.stdout.write('validate_diff: the generator made schemas or policies Cedar does not accept\n');
    process.exit(1);
  }
  process.exit(fatal.length > 0 ? 1 : 0);
}

main();
