import {
  BatchGetImageCommand,
  type BatchGetImageCommandOutput,
  DescribeImagesCommand,
  type ECRClient,
  ImageAlreadyExistsException,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { ImageNotFoundError, ImageTagExistsError, RegistryError } from './errors.ts';

/** A manifest as ECR stores it: re-putting the same bytes under a new tag names the same digest. */
export interface ImageManifest {
  digest: string;
  manifest: string;
  mediaType: string | undefined;
}

/** An image in the repository and all the tags that name it. */
export interface TaggedImage {
  digest: string;
  tags: string[];
}

/**
 * The ECR operations a release needs, over an injected client so tests point it at moto.
 *
 * @example
 * const images = new EcrImages(new ECRClient({}), 'frs');
 * const digest = await images.digestOf('detector-0.2.0'); // 'sha256:…' or null
 * const image = await images.imageOf('detector-0.2.0'); // { digest, tags: ['detector-0.2.0', 'sha-0123abcd4567'] }
 */
export class EcrImages {
  readonly #client: ECRClient;
  readonly #repository: string;

  constructor(client: ECRClient, repository: string) {
    this.#client = client;
    this.#repository = repository;
  }

  /** The repository's name. */
  get repository(): string {
    return this.#repository;
  }

  /** The digest a tag names, or null when the tag does not exist. */
  async digestOf(tag: string): Promise<string | null> {
    return (await this.imageOf(tag))?.digest ?? null;
  }

  /**
   * The image a tag names with every tag it carries (which is how a version tag's `sha-<commit>` build
   * tag is found), or null when the tag does not exist.
   */
  async imageOf(tag: string): Promise<TaggedImage | null> {
    try {
      const out = await this.#client.send(
        new DescribeImagesCommand({ repositoryName: this.#repository, imageIds: [{ imageTag: tag }] }),
      );
      const detail = out.imageDetails?.[0];
      if (!detail?.imageDigest) return null;
      return { digest: detail.imageDigest, tags: detail.imageTags ?? [] };
    } catch (cause) {
      if (cause instanceof ImageNotFoundException) return null;
      throw new RegistryError(`cannot describe ${this.#repository}:${tag}`, { cause });
    }
  }

  /** The manifest a tag names; fails with ImageNotFoundError when it is absent. */
  async manifestOf(tag: string): Promise<ImageManifest> {
    let out: BatchGetImageCommandOutput;
    try {
      out = await this.#client.send(
        new BatchGetImageCommand({ repositoryName: this.#repository, imageIds: [{ imageTag: tag }] }),
      );
    } catch (cause) {
      throw new RegistryError(`cannot read ${this.#repository}:${tag}`, { cause });
    }
    const image = out.images?.[0];
    const digest = image?.imageId?.imageDigest;
    const manifest = image?.imageManifest;
    if (!digest || !manifest) throw new ImageNotFoundError(`${this.#repository}:${tag} does not exist`);
    return { digest, manifest, mediaType: image.imageManifestMediaType };
  }

  /**
   * Adds `tag` to an existing manifest without pulling or pushing layers. A tag that already names
   * another image is refused with ImageTagExistsError before anything is written: the check does not rely
   * on the repository being IMMUTABLE (emulators and misconfigured repositories move tags silently), and
   * ECR's own refusal in a race surfaces as the same error.
   */
  async addTag(image: ImageManifest, tag: string): Promise<string> {
    const existing = await this.digestOf(tag);
    if (existing === image.digest) return existing;
    if (existing !== null) {
      throw new ImageTagExistsError(
        `${this.#repository}:${tag} already names ${existing} and is never overwritten`,
      );
    }
    try {
      const out = await this.#client.send(
        new PutImageCommand({
          repositoryName: this.#repository,
          imageManifest: image.manifest,
          imageManifestMediaType: image.mediaType,
          imageDigest: image.digest,
          imageTag: tag,
        }),
      );
      return out.image?.imageId?.imageDigest ?? image.digest;
    } catch (cause) {
      if (cause instanceof ImageTagAlreadyExistsException) {
        throw new ImageTagExistsError(`${this.#repository}:${tag} already exists and is never overwritten`, {
          cause,
        });
      }
      // The same manifest already carries this tag: the operation is idempotent.
      if (cause instanceof ImageAlreadyExistsException) return image.digest;
      throw new RegistryError(`cannot tag ${this.#repository}:${tag}`, { cause });
    }
  }
}
