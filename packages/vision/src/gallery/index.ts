export * from './errors.ts';
export * from './format.ts';
export * from './gallery.ts';
export * from './io.ts';
export {
  openTorchArchive,
  readTorchGallery,
  TORCH_GALLERY_MODEL,
  type TorchArchive,
} from './torch/index.ts';
