export * from './errors.ts';
export * from './format.ts';
export * from './gallery.ts';
export * from './io.ts';
export * from './quality.ts';
export {
  openTorchArchive,
  type ReadTorchGalleryOptions,
  readTorchGallery,
  TORCH_GALLERY_MODEL,
  type TorchArchive,
  type TorchLimits,
} from './torch/index.ts';
