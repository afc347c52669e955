// Cedar's engine as a benchmark peer: the same policies, entities and
// requests `writ bench` reads, decided by @cedar-policy/cedar-wasm.
//
//   node cedar_peer.mjs --policies F --entities F --requests F.jsonl
//                       [--seconds S] [--decisions OUT] [--slice]
//
// The policy set is parsed once (preparsePolicySet); each request is one
// statefulIsAuthorized call, timed on its own, after about a second of
// warm-up, looping over the requests in file order — as `writ bench` does.
// Requests are converted to Cedar's call objects before any timing; what
// remains inside each call is Cedar's own work, including the conversion of
// the call across the JS/wasm boundary.
//
// cedar-wasm cannot hold parsed entities between calls: every call passes an
// entity store, which Cedar parses (and closes transitively) again. By default
// that is the whole store, as a caller with one store would pass it. With
// --slice each request gets only the entities it can reach (see Slicer), as
// applications of Cedar usually pass them; that separates the policy
// evaluation from the cost of the store.
//
// Prints one JSON line, like `writ bench`; --decisions OUT first writes
// `allow` or `deny` per request, in order. Exit 2 on usage or input errors.
import fs from 'node:fs';
import process from 'node:process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The Node.js build of the package is CommonJS and loads its wasm synchronously.
const cedar = require('@cedar-policy/cedar-wasm/nodejs');

const kUsage = 'usage: node cedar_peer.mjs --policies F --entities F --requests F.jsonl ' +
               '[--seconds S] [--decisions OUT] [--slice]\n';

function fail(why) {
  process.stderr.write(`cedar_peer: ${why}\n`);
  process.exit(2);
}
function usage(why) {
  process.stderr.write(`cedar_peer: ${why}\n${kUsage}`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { slice: false };
  for (let i = 0; i < argv.length; ++i) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(kUsage);
      process.exit(0);
    }
    if (flag === '--slice') {
      args.slice = true;
      continue;
    }
    if (!['--policies', '--entities', '--requests', '--seconds', '--decisions'].includes(flag)) {
      usage(`unknown argument ${flag}`);
    }
    if (i + 1 === argv.length) usage(`${flag} needs a value`);
    args[flag.slice(2)] = argv[++i];
  }
  for (const required of ['policies', 'entities', 'requests']) {
    if (!args[required]) usage(`--${required} is required`);
  }
  args.seconds = Number(args.seconds ?? 5);
  if (!(args.seconds > 0 && args.seconds <= 3600)) usage('--seconds takes a number of seconds in (0, 3600]');
  return args;
}

function readFile(path) {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (e) {
    fail(`${path}: ${e.message}`);
  }
}

// An entity reference in any form writ's request files use — `Type::"id"`,
// {type, id} or {__entity: {type, id}} — as Cedar's {type, id}.
function uid(v, where) {
  if (typeof v === 'object' && v !== null) {
    const u = v.__entity ?? v;
    if (typeof u.type === 'string' && typeof u.id === 'string') return { type: u.type, id: u.id };
  } else if (typeof v === 'string') {
    // Ids here use JSON's escapes, which are Cedar's for the ids benchmarks use.
    const m = /^(.+)::"((?:[^"\\]|\\.)*)"$/s.exec(v);
    if (m) {
      try {
        return { type: m[1], id: JSON.parse(`"${m[2]}"`) };
      } catch {
        // Falls through to the error below.
      }
    }
  }
  fail(`${where}: not an entity reference: ${JSON.stringify(v)}`);
}

const key = (u) => `${u.type}::${JSON.stringify(u.id)}`;

// Entity references inside a Cedar JSON value (attributes, tags, context).
function referencedEntities(value, out) {
  if (Array.isArray(value)) {
    for (const v of value) referencedEntities(v, out);
  } else if (typeof value === 'object' && value !== null) {
    if (value.__entity) {
      out.push(value.__entity);
    } else if (!value.__extn) {
      for (const v of Object.values(value)) referencedEntities(v, out);
    }
  }
}

// The part of an entity store a request can reach: its principal, action,
// resource and context entities, their ancestors, and — transitively — the
// entities their attributes and tags name. Decisions on it equal decisions
// on the whole store for policies that reach entities only from the request,
// as every generated set's do (run.sh compares them with writ's anyway).
class Slicer {
  constructor(entities) {
    this.byKey = new Map(entities.map((e) => [key(e.uid.__entity ?? e.uid), e]));
  }

  slice(roots) {
    const seen = new Set();
    const out = [];
    const pending = [...roots];
    while (pending.length > 0) {
      const u = pending.pop();
      const k = key(u);
      if (seen.has(k)) continue;
      seen.add(k);
      const e = this.byKey.get(k);
      if (!e) continue;
      out.push(e);
      for (const p of e.parents ?? []) pending.push(p.__entity ?? p);
      referencedEntities(e.attrs ?? {}, pending);
      referencedEntities(e.tags ?? {}, pending);
    }
    return out;
  }
}

function load(args) {
  const start = process.hrtime.bigint();
  const parsed = cedar.preparsePolicySet('bench', { staticPolicies: readFile(args.policies) });
  if (parsed.type !== 'success') fail(`${args.policies}: ${parsed.errors.map((e) => e.message).join('; ')}`);
  let entities;
  try {
    entities = JSON.parse(readFile(args.entities));
  } catch (e) {
    fail(`${args.entities}: ${e.message}`);
  }
  if (!Array.isArray(entities)) fail(`${args.entities}: expected a JSON array of entities`);
  return { entities, loadMs: Number(process.hrtime.bigint() - start) / 1e6 };
}

// One statefulIsAuthorized argument per request line, built before timing.
function buildCalls(args, entities) {
  const slicer = args.slice ? new Slicer(entities) : null;
  const calls = [];
  readFile(args.requests).split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${args.requests}:${i + 1}`;
    let r;
    try {
      r = JSON.parse(line);
    } catch (e) {
      fail(`${where}: ${e.message}`);
    }
    const call = {
      principal: uid(r.principal, where),
      action: uid(r.action, where),
      resource: uid(r.resource, where),
      context: r.context ?? {},
      preparsedPolicySetId: 'bench',
      validateRequest: false,
      entities,
    };
    if (slicer) {
      const roots = [call.principal, call.action, call.resource];
      referencedEntities(call.context, roots);
      call.entities = slicer.slice(roots);
    }
    calls.push(call);
  });
  if (calls.length === 0) fail(`${args.requests}: no requests`);
  return calls;
}

function decide(call) {
  const answer = cedar.statefulIsAuthorized(call);
  if (answer.type !== 'success') {
    // A call Cedar rejects (e.g. an entity store it cannot parse) is an input error.
    fail(`authorization failed: ${answer.errors.map((e) => e.message).join('; ')}`);
  }
  return answer.response.decision;
}

// Loops over the calls in order until `seconds` have passed; returns each
// call's latency in nanoseconds when `record`.
function run(calls, seconds, record) {
  const samples = [];
  const until = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  for (let i = 0; ; i = (i + 1) % calls.length) {
    const start = process.hrtime.bigint();
    decide(calls[i]);
    const end = process.hrtime.bigint();
    if (record) samples.push(Number(end - start));
    if (end >= until) return samples;
  }
}

const args = parseArgs(process.argv.slice(2));
const { entities, loadMs } = load(args);
const calls = buildCalls(args, entities);
if (args.decisions) {
  const lines = calls.map((c) => (decide(c) === 'allow' ? 'allow\n' : 'deny\n'));
  try {
    fs.writeFileSync(args.decisions, lines.join(''));
  } catch (e) {
    fail(`${args.decisions}: ${e.message}`);
  }
}
run(calls, Math.min(1, args.seconds), false);
const start = process.hrtime.bigint();
const samples = run(calls, args.seconds, true);
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
samples.sort((a, b) => a - b);
const quantile = (q) => samples[Math.floor(q * (samples.length - 1))];
const rate = samples.length / elapsed;
process.stdout.write(JSON.stringify({
  engine: `cedar-wasm ${cedar.getCedarVersion()}`,
  load_ms: Number(loadMs.toFixed(1)),
  // Two decimals below 100/s, where rounding to an integer would skew the ratio.
  decisions_per_sec: Number(rate.toFixed(rate < 100 ? 2 : 0)),
  p50_ns: quantile(0.5),
  p99_ns: quantile(0.99),
  rss_mb: Number((process.memoryUsage().rss / 2 ** 20).toFixed(1)),
  calls: samples.length,
  entities: args.slice ? 'sliced' : 'whole store',
}) + '\n');
