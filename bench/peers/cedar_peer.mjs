// Cedar's engine as a benchmark peer: the same policies, entities and
// requests `writ bench` reads, decided by @cedar-policy/cedar-wasm.
//
//   node cedar_peer.mjs --policies F --entities F --requests F.jsonl [--seconds S] [--decisions OUT]
//
// The policy set is parsed once (preparsePolicySet); each request is one
// statefulIsAuthorized call, timed on its own, after about a second of
// warm-up, looping over the requests in file order — as `writ bench` does.
// cedar-wasm has no pre-parsed entities: every call takes the entity store,
// as Cedar's API requires. Prints one JSON line, like `writ bench`.
import fs from 'node:fs';
import process from 'node:process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cedar = require('@cedar-policy/cedar-wasm/nodejs');

function usage(why) {
  process.stderr.write(`cedar_peer: ${why}\nusage: node cedar_peer.mjs --policies F --entities F ` +
                       `--requests F.jsonl [--seconds S] [--decisions OUT]\n`);
  process.exit(2);
}

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  const flag = process.argv[i];
  if (!flag.startsWith('--') || i + 1 >= process.argv.length) usage(`bad argument ${flag}`);
  args[flag.slice(2)] = process.argv[i + 1];
}
for (const required of ['policies', 'entities', 'requests']) {
  if (!args[required]) usage(`--${required} is required`);
}
const seconds = Number(args.seconds ?? 5);
if (!(seconds > 0)) usage('--seconds takes a positive number');

// `Type::"id"` (the form writ's request files use) to Cedar's {type, id}.
function uid(v, where) {
  if (typeof v === 'object' && v !== null) return v.__entity ?? v;
  const m = /^(.*)::"((?:[^"\\]|\\.)*)"$/s.exec(v);
  if (!m) usage(`${where}: not an entity reference: ${v}`);
  return { type: m[1], id: JSON.parse(`"${m[2]}"`) };
}

const loadStart = process.hrtime.bigint();
const policyText = fs.readFileSync(args.policies, 'utf8');
const parsed = cedar.preparsePolicySet('bench', { staticPolicies: policyText });
if (parsed.type !== 'success') {
  process.stderr.write(`cedar_peer: policies do not parse: ${JSON.stringify(parsed.errors)}\n`);
  process.exit(2);
}
const entities = JSON.parse(fs.readFileSync(args.entities, 'utf8'));
const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;

const calls = fs.readFileSync(args.requests, 'utf8').split('\n').filter((l) => l.trim() !== '').map((line, i) => {
  const r = JSON.parse(line);
  const where = `${args.requests}:${i + 1}`;
  return {
    principal: uid(r.principal, where), action: uid(r.action, where), resource: uid(r.resource, where),
    context: r.context ?? {}, preparsedPolicySetId: 'bench', entities, validateRequest: false,
  };
});
if (calls.length === 0) usage(`${args.requests}: no requests`);

function decide(call) {
  const answer = cedar.statefulIsAuthorized(call);
  if (answer.type !== 'success') {
    process.stderr.write(`cedar_peer: authorization failed: ${JSON.stringify(answer.errors)}\n`);
    process.exit(1);
  }
  return answer.response.decision;
}

if (args.decisions) {
  fs.writeFileSync(args.decisions, calls.map((c) => (decide(c) === 'allow' ? 'allow\n' : 'deny\n')).join(''));
}

function run(secs, samples) {
  const until = process.hrtime.bigint() + BigInt(Math.round(secs * 1e9));
  let i = 0;
  for (;;) {
    const start = process.hrtime.bigint();
    decide(calls[i]);
    const end = process.hrtime.bigint();
    if (samples) samples.push(Number(end - start));
    if (++i === calls.length) i = 0;
    if (end >= until) return;
  }
}
run(Math.min(1, seconds), null);
const samples = [];
const start = process.hrtime.bigint();
run(seconds, samples);
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
samples.sort((a, b) => a - b);
const quantile = (q) => samples[Math.floor(q * (samples.length - 1))];
process.stdout.write(JSON.stringify({
  engine: `cedar-wasm ${cedar.getCedarVersion()}`,
  load_ms: Number(loadMs.toFixed(1)),
  decisions_per_sec: Math.round(samples.length / elapsed),
  p50_ns: quantile(0.5),
  p99_ns: quantile(0.99),
  rss_mb: Number((process.memoryUsage().rss / 2 ** 20).toFixed(1)),
  calls: samples.length,
}) + '\n');
