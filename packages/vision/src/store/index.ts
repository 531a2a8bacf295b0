export {
  GalleryStoreConflictError,
  GalleryStoreError,
  PhotoNotFoundError,
  S3LocationError,
} from './errors.ts';
export { isS3Location, parseS3Location, type S3Location } from './location.ts';
export { type FetchedGallery, type FetchGalleryOptions, fetchGallery } from './source.ts';
export {
  createGalleryStore,
  type GalleryStore,
  type GalleryStoreOptions,
  type NewPhoto,
  type StoredPerson,
  type StoredPhoto,
} from './store.ts';
