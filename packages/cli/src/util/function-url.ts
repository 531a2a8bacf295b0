import { isLoopback } from './sqs.ts';

/**
 * The AWS region of a Function URL (`<id>.lambda-url.<region>.on.aws`), else `AWS_REGION`, else us-east-1.
 *
 * @example
 * ```ts
 * regionOf('https://abc.lambda-url.eu-west-1.on.aws/'); // 'eu-west-1'
 * ```
 */
export function regionOf(url: string): string {
  return (
    /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(new URL(url).hostname)?.[1] ??
    process.env.AWS_REGION ??
    'us-east-1'
  );
}

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
