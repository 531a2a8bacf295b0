/**
 * Command line for the converter, for models outside the manifest:
 *
 *   node --conditions=@frs/source models/src/tflite2onnx/cli.ts inspect model.tflite
 *   node --conditions=@frs/source models/src/tflite2onnx/cli.ts convert model.tflite model.onnx \
 *     [--input-name input] [--output tflite_tensor=onnx_name]... [--dynamic-spatial] [--transposed-image]
 */

import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ModelsError } from '../errors.ts';
import { convertTfliteWithReport } from './convert.ts';
import { readTflite } from './tflite.ts';

/** Thrown for a malformed command line. */
export class CliUsageError extends ModelsError {
  override readonly code = 'CLI_USAGE';
}

/**
 * Lists a TFLite file's tensors and operators: what you need to write conversion options.
 *
 * @example
 * ```ts
 * console.log(describeTflite(await readFile('pnet.tflite')).join('\n'));
 * ```
 */
export function describeTflite(bytes: Uint8Array): string[] {
  const { graph, description } = readTflite(bytes);
  const tensor = (i: number) => {
    const t = graph.tensors[i];
    return t === undefined
      ? `#${i}`
      : `${t.name}[${t.shape.join(',')}]${t.data === undefined ? '' : '(const)'}`;
  };
  return [
    `description: ${description ?? ''}`,
    `inputs: ${graph.inputs.map(tensor).join(', ')}`,
    `outputs: ${graph.outputs.map(tensor).join(', ')}`,
    ...graph.operators.map(
      (op) =>
        `${op.index} ${op.opcode} ${op.inputs
          .filter((i) => i >= 0)
          .map(tensor)
          .join(', ')} -> ${op.outputs.map(tensor).join(', ')}`,
    ),
  ];
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'input-name': { type: 'string' },
      output: { type: 'string', multiple: true },
      'dynamic-spatial': { type: 'boolean' },
      'transposed-image': { type: 'boolean' },
    },
  });
  const [command, input, output] = positionals;
  if (command === 'inspect' && input !== undefined) {
    for (const line of describeTflite(new Uint8Array(await readFile(input)))) console.log(line);
    return;
  }
  if (command !== 'convert' || input === undefined || output === undefined) {
    throw new CliUsageError('usage: cli.ts inspect <in.tflite> | convert <in.tflite> <out.onnx> [options]');
  }
  const outputs = (values.output ?? []).map((spec) => {
    const [tensor, name] = spec.split('=');
    if (tensor === undefined || name === undefined || tensor === '' || name === '') {
      throw new CliUsageError(`--output expects tflite_tensor=onnx_name, got "${spec}"`);
    }
    return { tensor, name };
  });
  const report = convertTfliteWithReport(new Uint8Array(await readFile(input)), {
    ...(values['input-name'] === undefined ? {} : { inputName: values['input-name'] }),
    ...(outputs.length === 0 ? {} : { outputs }),
    dynamicSpatial: values['dynamic-spatial'] ?? false,
    transposedImage: values['transposed-image'] ?? false,
  });
  await writeFile(output, report.onnx);
  const ops = [...report.opCounts].map(([op, n]) => `${op}×${n}`).join(' ');
  console.log(
    `${output}: ${report.onnx.length} bytes; ${ops}; folded ${report.foldedPrelu} PReLU, ${report.foldedSoftmax} softmax`,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
