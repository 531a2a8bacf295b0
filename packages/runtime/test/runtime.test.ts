import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseEnvironment } from '../src/config.ts';
import { CodedError } from '../src/errors.ts';
import { createJsonLogger, LogLevelSetting } from '../src/logger.ts';
import { memoise } from '../src/memo.ts';
import { createEmfSink, MetricsNamespace } from '../src/metrics.ts';

describe('Function: createJsonLogger()', () => {
  it('returns one JSON line with child fields and expanded causes when the level is enabled', () => {
    const lines: string[] = [];
    const log = createJsonLogger({ service: 'svc', level: 'info', write: (l) => lines.push(l) }).child({
      a: 1,
    });
    log.debug('hidden');
    log.error('boom', { error: new Error('bad', { cause: new Error('root') }) });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? '{}');
    expect(entry).toMatchObject({ level: 'error', service: 'svc', message: 'boom', a: 1 });
    expect(entry.error).toMatchObject({ name: 'Error', message: 'bad', cause: { message: 'root' } });
  });
});

describe('Function: memoise()', () => {
  it('returns the same value without calling the factory again when the first call succeeded', async () => {
    let calls = 0;
    const get = memoise(async () => ++calls);
    expect(await get()).toBe(1);
    expect(await get()).toBe(1);
  });

  it('returns a fresh attempt from the factory when the previous attempt rejected', async () => {
    let calls = 0;
    const get = memoise(async () => {
      calls++;
      if (calls === 1) throw new Error('first load fails');
      return calls;
    });
    await expect(get()).rejects.toThrow('first load fails');
    expect(await get()).toBe(2);
  });
});

describe('Function: LogLevelSetting.parse()', () => {
  it('returns the level in lower case, and fails for a word that is not a level', () => {
    expect(LogLevelSetting.parse('WARN')).toBe('warn');
    expect(LogLevelSetting.parse(undefined)).toBeUndefined();
    expect(LogLevelSetting.safeParse('verbose').success).toBe(false);
  });
});

describe('Function: createEmfSink()', () => {
  it('returns one EMF line with the service-only and the split directives when a record has both', () => {
    const lines: string[] = [];
    const sink = createEmfSink({
      namespace: 'FRS',
      service: 'svc',
      write: (l) => lines.push(l),
      now: () => 1,
    });
    sink.emit({
      metrics: { Ms: [4, 'Milliseconds'] },
      split: { dimensions: { code: 'x' }, metrics: { N: [1, 'Count'] } },
    });
    sink.emit({});
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        _aws: {
          Timestamp: 1,
          CloudWatchMetrics: [
            { Namespace: 'FRS', Dimensions: [['service']], Metrics: [{ Name: 'Ms', Unit: 'Milliseconds' }] },
            {
              Namespace: 'FRS',
              Dimensions: [['service'], ['service', 'code']],
              Metrics: [{ Name: 'N', Unit: 'Count' }],
            },
          ],
        },
        service: 'svc',
        code: 'x',
        Ms: 4,
        N: 1,
      },
    ]);
  });

  it('returns the default namespace and refuses AWS/ namespaces when parsing FRS_METRICS_NAMESPACE', () => {
    expect(MetricsNamespace.parse(undefined)).toBe('FRS');
    expect(MetricsNamespace.safeParse('AWS/Lambda').success).toBe(false);
  });
});

describe('Function: parseEnvironment()', () => {
  const Env = z.object({ A: z.coerce.number().int(), B: z.string().min(1) });
  class TestConfigError extends CodedError {
    override readonly code = 'test_config';
  }
  const fail = (message: string, options: { cause: z.ZodError }) => new TestConfigError(message, options);

  it('returns the parsed environment when every variable is valid', () => {
    expect(parseEnvironment(Env, { A: '3', B: 'x' }, 'test', fail)).toEqual({ A: 3, B: 'x' });
  });

  it('throws the caller error naming every invalid variable, with the zod error as cause', () => {
    const error = (() => {
      try {
        return parseEnvironment(Env, { A: 'x' }, 'test', fail);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TestConfigError);
    expect(error).toMatchObject({ name: 'TestConfigError', code: 'test_config' });
    expect(error instanceof Error && error.cause instanceof z.ZodError).toBe(true);
    expect(String(error)).toMatchInlineSnapshot(
      `"TestConfigError: invalid test configuration: A: Invalid input: expected number, received NaN; B: Invalid input: expected string, received undefined"`,
    );
  });
});
