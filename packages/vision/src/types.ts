/** A point in image pixels. */
export type Point = readonly [x: number, y: number];

/** Axis-aligned box `[x1, y1, x2, y2]` in original image pixels. */
export type Box = readonly [x1: number, y1: number, x2: number, y2: number];

/** One face found by the detector, in original image coordinates. */
export interface Detection {
  box: Box;
  /** O-Net face probability. */
  score: number;
  /** Left eye, right eye, nose, left mouth corner, right mouth corner. */
  landmarks: readonly [Point, Point, Point, Point, Point];
}

/** A decoded image: tightly packed 8-bit RGB, row-major, `width * height * 3` bytes. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A face crop ready for the embedder (aligned chip), RGB HWC uint8 of the embedder's input size. */
export interface FaceChip extends RgbImage {
  detection: Detection;
}

/** An L2-normalised embedding with the id of the model that produced it. */
export interface Embedding {
  modelId: string;
  vector: Float32Array;
}

/** Minimal structured logger the library accepts; Powertools' Logger and console-like objects fit. */
export interface Logger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}
