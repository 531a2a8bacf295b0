export {
  type ConversionReport,
  type ConvertOptions,
  convertTflite,
  convertTfliteWithReport,
  OPSET,
} from './convert.ts';
export { FlatBufferError, FlatTable } from './flatbuffer.ts';
export { UnsupportedTfliteError } from './graph.ts';
export { encodeOnnxModel, type OnnxModel } from './onnx.ts';
export { readTflite, TfliteFormatError, type TfliteModel } from './tflite.ts';
