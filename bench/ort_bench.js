#!/usr/bin/env node
// Times one ONNX model with ONNX Runtime (npm's onnxruntime-node) the way
// kiln-run --bench times an artifact, so bench.py can alternate the two.
//
//   node ort_bench.js MODEL --threads N [--input NAME=FILE.npy]...
//        [--output-dir DIR] [--bench --warmup W --iters N]
//   node ort_bench.js --npy-copy IN.npy OUT.npy   (self-check of the npy code)
//
// With --bench the last line is `median_ms=<x> min_ms=<y> iters=<n>`, as
// kiln-run prints it. --output-dir writes output_<i>.npy in the session's
// output order (the model's order, as kiln-run). onnxruntime-node is found
// through NODE_PATH (bench.py points it at its npm scratch folder).
'use strict';
const fs = require('fs');
const path = require('path');

// NPY 1.0-3.0, little-endian, C order: the only layout numpy writes for
// the arrays bench.py saves.
const NPY_TYPES = {
  '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array],
  '<i8': ['int64', BigInt64Array], '<i4': ['int32', Int32Array],
  '|u1': ['uint8', Uint8Array], '|i1': ['int8', Int8Array],
  '|b1': ['bool', Uint8Array],
};

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not an .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shape || /'fortran_order':\s*True/.test(header))
    throw new Error(`${file}: unsupported header ${header.trim()}`);
  const kind = NPY_TYPES[descr[1]];
  if (!kind) throw new Error(`${file}: unsupported dtype ${descr[1]}`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  // Copy into a fresh, aligned buffer: typed arrays need their element
  // alignment, which the header length does not guarantee.
  const bytes = new Uint8Array(count * kind[1].BYTES_PER_ELEMENT);
  bytes.set(buf.subarray(start + headerLen, start + headerLen + bytes.length));
  let data = new kind[1](bytes.buffer);
  if (kind[0] === 'bool') data = Uint8Array.from(data);
  return { type: kind[0], dims, data };
}

function writeNpy(file, type, dims, data) {
  const descr = Object.keys(NPY_TYPES).find((k) => NPY_TYPES[k][0] === type);
  if (!descr) throw new Error(`cannot write ${type} as .npy`);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so the data starts on a 64-byte boundary, ending in \n.
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

function parseArgs(argv) {
  const a = { inputs: [], threads: 1, warmup: 1, iters: 10, bench: false };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const next = () => argv[++i];
    if (f === '--threads') a.threads = Number(next());
    else if (f === '--input') a.inputs.push(next());
    else if (f === '--output-dir') a.outputDir = next();
    else if (f === '--bench') a.bench = true;
    else if (f === '--warmup') a.warmup = Number(next());
    else if (f === '--iters') a.iters = Number(next());
    else if (f === '--npy-copy') a.npyCopy = [next(), next()];
    else if (f.startsWith('--')) throw new Error(`unknown flag ${f}`);
    else a.model = f;
  }
  return a;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.npyCopy) {
    const t = readNpy(args.npyCopy[0]);
    writeNpy(args.npyCopy[1], t.type, t.dims, t.data);
    return;
  }
  const ort = require('onnxruntime-node');
  const session = await ort.InferenceSession.create(args.model, {
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds = {};
  for (const spec of args.inputs) {
    const eq = spec.indexOf('=');
    const t = readNpy(spec.slice(eq + 1));
    feeds[spec.slice(0, eq)] = new ort.Tensor(t.type, t.data, t.dims);
  }
  const missing = session.inputNames.filter((n) => !(n in feeds));
  if (missing.length) throw new Error(`no --input for ${missing.join(', ')}`);

  let results = await session.run(feeds);
  if (args.outputDir) {
    fs.mkdirSync(args.outputDir, { recursive: true });
    session.outputNames.forEach((name, i) => {
      const t = results[name];
      writeNpy(path.join(args.outputDir, `output_${i}.npy`), t.type, t.dims, t.data);
    });
  }
  if (!args.bench) return;
  for (let i = 0; i < args.warmup; i++) results = await session.run(feeds);
  const times = [];
  for (let i = 0; i < args.iters; i++) {
    const t0 = process.hrtime.bigint();
    results = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((x, y) => x - y);
  const n = times.length;
  const median = n % 2 ? times[(n - 1) / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  console.log(`median_ms=${median.toFixed(4)} min_ms=${times[0].toFixed(4)} iters=${n}`);
}

main().catch((e) => {
  console.error(`ort_bench: ${e.message || e}`);
  process.exit(1);
});
