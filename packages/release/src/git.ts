import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GitError } from './errors.ts';

const run = promisify(execFile);

const FULL_SHA = /^[0-9a-f]{40}$/;

/** Exit status of a failed child process, when it ran at all. */
function exitCode(cause: unknown): number | null {
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'number') {
    return cause.code;
  }
  return null;
}

/**
 * The git questions a release asks, answered by the `git` binary in one working copy (never a library
 * re-implementation, so ancestry and tag peeling mean exactly what they mean to git).
 *
 * @example
 * const git = new Git('/work/frs');
 * const commit = await git.commitOf('HEAD');
 * await git.isAncestor(commit, 'origin/main'); // true when HEAD is on main
 */
export class Git {
  readonly #cwd: string;

  constructor(cwd: string) {
    this.#cwd = cwd;
  }

  async #git(args: readonly string[]): Promise<string> {
    try {
      const { stdout } = await run('git', [...args], { cwd: this.#cwd, maxBuffer: 16 * 1024 * 1024 });
      return stdout;
    } catch (cause) {
      throw new GitError(`git ${args.join(' ')} failed in ${this.#cwd}`, { cause });
    }
  }

  /** The full commit id a ref (branch, tag, `HEAD`, short id) names; GitError when it names no commit. */
  async commitOf(ref: string): Promise<string> {
    const out = (await this.#git(['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`])).trim();
    if (!FULL_SHA.test(out)) throw new GitError(`git rev-parse ${ref} answered ${JSON.stringify(out)}`);
    return out;
  }

  /**
   * Whether `commit` is `ref` or one of its ancestors (`git merge-base --is-ancestor`). Exit 1 is the
   * answer "no"; any other failure (unknown commit, shallow history) is a GitError, never a "no".
   */
  async isAncestor(commit: string, ref: string): Promise<boolean> {
    try {
      await run('git', ['merge-base', '--is-ancestor', commit, ref], { cwd: this.#cwd });
      return true;
    } catch (cause) {
      if (exitCode(cause) === 1) return false;
      throw new GitError(`cannot tell whether ${commit} is an ancestor of ${ref}`, { cause });
    }
  }

  /** The commit a tag points at (annotated tags peeled), or null when the tag does not exist. */
  async tagTarget(tag: string): Promise<string | null> {
    try {
      const { stdout } = await run('git', ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`], {
        cwd: this.#cwd,
      });
      return stdout.trim();
    } catch (cause) {
      if (exitCode(cause) === 1) return null;
      throw new GitError(`cannot read tag ${tag}`, { cause });
    }
  }

  /** A file's content at a commit, or null when that commit exists but has no such file. */
  async fileAt(commit: string, path: string): Promise<string | null> {
    const object = `${await this.commitOf(commit)}:${path}`;
    try {
      await run('git', ['cat-file', '-e', object], { cwd: this.#cwd });
    } catch (cause) {
      // The commit resolved above, so a failing existence check means the path is absent.
      if (exitCode(cause) === 128) return null;
      throw new GitError(`cannot read ${path} at ${commit}`, { cause });
    }
    return this.#git(['cat-file', 'blob', object]);
  }

  /** Creates an annotated tag (as `changeset git-tag` does) on `commit`; fails if the tag exists. */
  async createTag(tag: string, commit: string, message: string): Promise<void> {
    await this.#git(['tag', '--annotate', '--message', message, '--end-of-options', tag, commit]);
  }
}
