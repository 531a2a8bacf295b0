import type { RecognitionReport } from './evaluate.ts';
import type { ScoredQuery } from './metrics.ts';

/** One point of a verification ROC curve. */
export interface RocPoint {
  threshold: number;
  far: number;
  tar: number;
}

/**
 * Genuine (query vs its own person) and impostor (query vs every other enrolled person) similarities.
 *
 * @example
 * ```ts
 * const { genuine, impostor } = verificationScores(report.queries);
 * ```
 */
export function verificationScores(queries: readonly ScoredQuery[]): {
  genuine: number[];
  impostor: number[];
} {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (const q of queries) {
    if (q.kind === 'genuine') genuine.push(q.truthSimilarity ?? Number.NEGATIVE_INFINITY);
    impostor.push(...q.impostorSimilarities);
  }
  return { genuine, impostor };
}

/**
 * The verification ROC: for every distinct score as threshold, the fraction of impostor scores (FAR) and
 * genuine scores (TAR) at or above it, from the strictest threshold to the loosest.
 *
 * @example
 * ```ts
 * const roc = rocCurve(report.queries);
 * roc.find((p) => p.far <= 0.001)?.tar;
 * ```
 */
export function rocCurve(queries: readonly ScoredQuery[]): RocPoint[] {
  const { genuine, impostor } = verificationScores(queries);
  const all = [...genuine.map((s) => ({ s, g: 1 })), ...impostor.map((s) => ({ s, g: 0 }))]
    .filter((x) => Number.isFinite(x.s))
    .sort((a, b) => b.s - a.s);
  const points: RocPoint[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < all.length; i++) {
    const item = all[i];
    if (item === undefined) continue;
    if (item.g === 1) tp++;
    else fp++;
    if (all[i + 1]?.s !== item.s) {
      points.push({
        threshold: item.s,
        far: impostor.length ? fp / impostor.length : 0,
        tar: genuine.length ? tp / genuine.length : 0,
      });
    }
  }
  return points;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '0');
const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)} %`);

/**
 * A self-contained SVG with the ROC curve (log FAR vs TAR) and genuine/impostor similarity histograms with
 * the operating threshold marked. Only plain SVG elements and attributes, so sharp/librsvg can rasterise it.
 *
 * @example
 * ```ts
 * await writeFile('eval.svg', renderReportSvg(report));
 * ```
 */
export function renderReportSvg(report: RecognitionReport): string {
  const width = 960;
  const height = 420;
  const pad = { left: 60, right: 20, top: 40, bottom: 50 };
  const panel = (width - 40) / 2;
  const plotW = panel - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  );

  // ROC on a log FAR axis: the interesting part of a face matcher lives at FAR ≤ 1 %.
  const roc = rocCurve(report.queries);
  const minExp = -4;
  const x0 = 20 + pad.left;
  const y0 = pad.top;
  const fx = (far: number) => x0 + ((Math.log10(Math.max(far, 10 ** minExp)) - minExp) / -minExp) * plotW;
  const fy = (tar: number) => y0 + (1 - tar) * plotH;
  out.push(
    `<text x="${x0 + plotW / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">ROC (verification): TAR vs FAR</text>`,
  );
  out.push(`<rect x="${x0}" y="${y0}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`);
  for (let e = minExp; e <= 0; e++) {
    const x = fx(10 ** e);
    out.push(`<line x1="${f(x)}" y1="${y0}" x2="${f(x)}" y2="${y0 + plotH}" stroke="#ddd"/>`);
    out.push(`<text x="${f(x)}" y="${y0 + plotH + 16}" text-anchor="middle">1e${e}</text>`);
  }
  for (let t = 0; t <= 10; t += 2) {
    const y = fy(t / 10);
    out.push(`<line x1="${x0}" y1="${f(y)}" x2="${x0 + plotW}" y2="${f(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${x0 - 6}" y="${f(y + 4)}" text-anchor="end">${(t / 10).toFixed(1)}</text>`);
  }
  out.push(
    `<text x="${x0 + plotW / 2}" y="${height - 12}" text-anchor="middle">false accept rate (pairs, log)</text>`,
  );
  out.push(
    `<text x="16" y="${y0 + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${y0 + plotH / 2})">true accept rate</text>`,
  );
  if (roc.length > 0) {
    const path = roc.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(fx(p.far))},${f(fy(p.tar))}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="2"/>`);
  }
  const op = report.operating;
  out.push(`<circle cx="${f(fx(op.verificationFar))}" cy="${f(fy(op.tar))}" r="5" fill="#d62728"/>`);
  out.push(
    `<text x="${f(Math.min(fx(op.verificationFar) + 8, x0 + plotW - 120))}" y="${f(fy(op.tar) + 18)}" fill="#d62728">threshold ${op.threshold}</text>`,
  );

  // Histograms on shared bins over [-0.4, 1]; lower scores land in the first bin.
  const { genuine, impostor } = verificationScores(report.queries);
  const lo = -0.4;
  const hi = 1;
  const bins = 48;
  const count = (scores: number[]) => {
    const h = new Array<number>(bins).fill(0);
    for (const s of scores) {
      if (!Number.isFinite(s)) continue;
      const b = Math.min(bins - 1, Math.max(0, Math.floor(((s - lo) / (hi - lo)) * bins)));
      h[b] = (h[b] ?? 0) + 1;
    }
    const total = scores.length || 1;
    return h.map((n) => n / total);
  };
  const hg = count(genuine);
  const hiH = count(impostor);
  const top = Math.max(...hg, ...hiH, 1e-9);
  const x1 = 20 + panel + pad.left;
  const hx = (s: number) => x1 + ((s - lo) / (hi - lo)) * plotW;
  const hy = (v: number) => y0 + (1 - v / top) * plotH;
  out.push(
    `<text x="${x1 + plotW / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">Cosine similarity: genuine vs impostor</text>`,
  );
  out.push(`<rect x="${x1}" y="${y0}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`);
  for (let s = -0.4; s <= 1.0001; s += 0.2) {
    const x = hx(s);
    out.push(`<line x1="${f(x)}" y1="${y0}" x2="${f(x)}" y2="${y0 + plotH}" stroke="#ddd"/>`);
    out.push(`<text x="${f(x)}" y="${y0 + plotH + 16}" text-anchor="middle">${s.toFixed(1)}</text>`);
  }
  out.push(`<text x="${x1 + plotW / 2}" y="${height - 12}" text-anchor="middle">cosine similarity</text>`);
  const bw = plotW / bins;
  const bars = (h: number[], color: string) =>
    h.forEach((v, b) => {
      if (v > 0) {
        out.push(
          `<rect x="${f(x1 + b * bw)}" y="${f(hy(v))}" width="${f(bw)}" height="${f(y0 + plotH - hy(v))}" fill="${color}" fill-opacity="0.55"/>`,
        );
      }
    });
  bars(hiH, '#ff7f0e');
  bars(hg, '#2ca02c');
  const tx = hx(op.threshold);
  out.push(
    `<line x1="${f(tx)}" y1="${y0}" x2="${f(tx)}" y2="${y0 + plotH}" stroke="#d62728" stroke-width="2" stroke-dasharray="6 4"/>`,
  );
  out.push(`<rect x="${x1 + 10}" y="${y0 + 10}" width="12" height="12" fill="#2ca02c" fill-opacity="0.55"/>`);
  out.push(`<text x="${x1 + 28}" y="${y0 + 20}">genuine (${genuine.length})</text>`);
  out.push(`<rect x="${x1 + 10}" y="${y0 + 28}" width="12" height="12" fill="#ff7f0e" fill-opacity="0.55"/>`);
  out.push(`<text x="${x1 + 28}" y="${y0 + 38}">impostor (${impostor.length})</text>`);
  out.push(`<text x="${x1 + 10}" y="${y0 + 56}" fill="#d62728">threshold ${op.threshold}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

/**
 * A self-contained HTML page: summary, inline SVG charts, the threshold sweep and per-person errors.
 *
 * @example
 * ```ts
 * await writeFile('eval.html', renderReportHtml(report));
 * ```
 */
export function renderReportHtml(report: RecognitionReport): string {
  const op = report.operating;
  const c = report.counts;
  const rows = report.sweep
    .map(
      (p) =>
        `<tr${p.threshold === op.threshold ? ' class="op"' : ''}><td>${p.threshold.toFixed(2)}</td><td>${pct(p.top1)}</td><td>${pct(p.far)}</td><td>${pct(p.frr)}</td><td>${pct(p.strangerUnknownRate)}</td><td>${pct(p.negativeNoNameRate)}</td><td>${(100 * p.verificationFar).toFixed(2)} %</td><td>${pct(p.tar)}</td></tr>`,
    )
    .join('\n');
  const people = report.perPerson
    .filter((p) => p.errorsAtThreshold > 0 || p.rank1Errors > 0)
    .map(
      (p) =>
        `<tr><td>${escapeHtml(p.person)}</td><td>${p.kind}</td><td>${p.queries}</td><td>${p.rank1Errors}</td><td>${p.errorsAtThreshold}</td><td>${p.wrong
          .map(
            (w) =>
              `${escapeHtml(w.path.split('/').slice(-2).join('/'))} → ${escapeHtml(w.answer)} (${w.similarity?.toFixed(3) ?? 'no face'})`,
          )
          .join('<br>')}</td></tr>`,
    )
    .join('\n');
  const target = report.targetFar;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>frs eval: ${escapeHtml(report.modelId)} K=${report.k}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child{text-align:left}tr.op{background:#fde2e2;font-weight:bold}</style>
</head><body>
<h1>Recognition evaluation: ${escapeHtml(report.modelId)}</h1>
<p>K = ${report.k} enrolled photo(s) per person, ${c.enrolledPeople} people enrolled, ${c.strangers} strangers
(held-out fraction ${report.strangerFraction}, seed ${report.seed}), aggregation ${report.aggregation}.
Queries: ${c.genuineQueries} genuine, ${c.strangerQueries} stranger, ${c.negativeQueries} negative.
Enrolment failures: ${c.enrolmentFailures}; unreadable images: ${c.imageErrors}.</p>
<ul>
<li>Rank-1 (threshold-free): <b>${pct(report.rank1)}</b></li>
<li>At threshold ${op.threshold}: top-1 <b>${pct(op.top1)}</b>, FAR ${pct(op.far)}, FRR ${pct(op.frr)},
strangers unknown ${pct(op.strangerUnknownRate)}, negatives without a name ${pct(op.negativeNoNameRate)}</li>
<li>Threshold for FAR ≤ ${target.target}: ${target.threshold ?? 'n/a'}${target.point ? ` (top-1 ${pct(target.point.top1)}, FAR ${pct(target.point.far)})` : ''}</li>
</ul>
${renderReportSvg(report)}
<h2>Threshold sweep</h2>
<table><tr><th>threshold</th><th>top-1</th><th>FAR</th><th>FRR</th><th>strangers unknown</th><th>negatives no name</th><th>pair FAR</th><th>pair TAR</th></tr>
${rows}
</table>
<h2>Per-person errors at ${op.threshold}</h2>
<table><tr><th>person</th><th>kind</th><th>queries</th><th>rank-1 errors</th><th>errors at threshold</th><th>wrong answers</th></tr>
${people || '<tr><td colspan="6">none</td></tr>'}
</table>
</body></html>
`;
}
