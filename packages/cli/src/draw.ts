import sharp from 'sharp';

/** One face to draw: its box in (EXIF-upright) image pixels and the label to print. */
export interface DrawnFace {
  box: readonly number[];
  label: string;
  /** Known people in green, `unknown` in orange. */
  known: boolean;
}

const escapeXml = (text: string): string =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );

/**
 * The photo (EXIF orientation applied, as the detector sees it) with a labelled box per face, as PNG.
 *
 * @example
 * ```ts
 * await writeFile('out.png', await drawFaces(await readFile('in.jpg'), [{ box: [10, 10, 90, 110], label: 'Alice 0.71', known: true }]));
 * ```
 */
export async function drawFaces(image: Uint8Array, faces: readonly DrawnFace[]): Promise<Buffer> {
  const meta = await sharp(image).metadata();
  // metadata() describes the stored image; the upright one is transposed for EXIF orientations 5–8.
  const swap = (meta.orientation ?? 1) >= 5;
  const width = (swap ? meta.height : meta.width) ?? 0;
  const height = (swap ? meta.width : meta.height) ?? 0;
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 200));
  const font = Math.max(12, Math.round(Math.min(width, height) / 30));
  const shapes = faces.map(({ box, label, known }) => {
    const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = box;
    const colour = known ? '#2ecc40' : '#ff851b';
    const textY = y1 - stroke * 2 > font ? y1 - stroke * 2 : y2 + font + stroke;
    return [
      `<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>`,
      `<text x="${x1}" y="${textY}" font-family="sans-serif" font-size="${font}" fill="${colour}" stroke="black" stroke-width="${stroke / 3}" paint-order="stroke">${escapeXml(label)}</text>`,
    ].join('');
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
  return sharp(image)
    .rotate()
    .composite([{ input: Buffer.from(svg), left: 0, top: 0 }])
    .png()
    .toBuffer();
}
