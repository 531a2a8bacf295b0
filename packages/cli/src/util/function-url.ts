import { isLoopback } from './sqs.ts';

/**
 * Whether calls to a Function URL are SigV4-signed: as told by `--sign`/`--no-sign`, else every URL that is
 * not on loopback (the local stack needs no auth; `AWS_IAM` URLs need a signature).
 *
 * @example
 * ```ts
 * shouldSign('http://127.0.0.1:8081/', {}); // false
 * ```
 */
export function shouldSign(
  url: string,
  flags: { sign?: boolean | undefined; 'no-sign'?: boolean | undefined },
) {
  return flags['no-sign'] === true ? false : (flags.sign ?? !isLoopback(url));
}
