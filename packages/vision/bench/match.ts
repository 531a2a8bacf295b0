// Benchmark of gallery search: time per query against synthetic galleries of growing size (the matcher's
// cost depends only on vector count and dimension, so random unit vectors measure it faithfully). Run:
//   node --conditions=@frs/source bench/match.ts
// Options: BENCH_QUERIES (default 200).
import { addEmbeddings, createGallery } from '../src/gallery/index.ts';
import { createMatcher } from '../src/match/index.ts';

const queries = Number(process.env.BENCH_QUERIES ?? 200);
let state = 12345;
const rand = () => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 2 ** 32 - 0.5;
};
const vector = (dim: number) => Float32Array.from({ length: dim }, rand);

console.log('| dimension | people | vectors | build ms | search µs/query (median) | search µs/query (p95) |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const dim of [192, 512]) {
  for (const people of [100, 1_000, 10_000]) {
    const perPerson = 5;
    const model = { id: 'bench', dimension: dim };
    const gallery = {
      model,
      people: Array.from(
        { length: people },
        (_, p) =>
          addEmbeddings(
            createGallery(model),
            `p${p}`,
            Array.from({ length: perPerson }, () => ({ vector: vector(dim) })),
          ).people[0],
      ).filter((p) => p !== undefined),
    };
    const t0 = performance.now();
    const matcher = createMatcher(gallery);
    const build = performance.now() - t0;
    const qs = Array.from({ length: queries }, () => vector(dim));
    for (const q of qs.slice(0, 10)) matcher.match(q, { threshold: 0.5 });
    const times: number[] = [];
    for (const q of qs) {
      const t = performance.now();
      matcher.match(q, { threshold: 0.5, topK: 5 });
      times.push((performance.now() - t) * 1000);
    }
    times.sort((a, b) => a - b);
    const at = (f: number) => times[Math.min(times.length - 1, Math.floor(f * times.length))] ?? Number.NaN;
    console.log(
      `| ${dim} | ${people} | ${people * perPerson} | ${build.toFixed(1)} | ${at(0.5).toFixed(0)} | ${at(0.95).toFixed(0)} |`,
    );
    process.stderr.write(`done ${dim}-d × ${people} people\n`);
  }
}
