// Stand-in for the Lambda runtime interface client, used only by infra/image-test.sh because the real
// base image cannot be pulled there. It resolves the handler string the way the Node.js runtime does (module
// path relative to LAMBDA_TASK_ROOT, the last dot separates the export, .js/.mjs/.cjs tried in turn),
// invokes it once with the event in FRS_STANDIN_EVENT_FILE (or FRS_STANDIN_EVENT), and prints the result
// as one JSON line.
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const handlerString = process.argv[2] ?? process.env._HANDLER;
if (!handlerString?.includes('.')) {
  console.error(`usage: lambda-entrypoint.mjs <module/path.export> (got ${handlerString})`);
  process.exit(2);
}
const root = process.env.LAMBDA_TASK_ROOT ?? '/var/task';
const dot = handlerString.lastIndexOf('.');
const modulePath = `${root}/${handlerString.slice(0, dot)}`;
const exportName = handlerString.slice(dot + 1);
const file = ['.js', '.mjs', '.cjs'].map((ext) => modulePath + ext).find((f) => existsSync(f));
if (!file) {
  console.error(`Runtime.ImportModuleError: cannot find module ${modulePath}`);
  process.exit(1);
}
const mod = await import(pathToFileURL(file).href);
const fn = mod[exportName];
if (typeof fn !== 'function') {
  console.error(`Runtime.HandlerNotFound: ${handlerString} is not a function`);
  process.exit(1);
}
const event = JSON.parse(
  process.env.FRS_STANDIN_EVENT_FILE
    ? readFileSync(process.env.FRS_STANDIN_EVENT_FILE, 'utf8')
    : (process.env.FRS_STANDIN_EVENT ?? '{}'),
);
const deadline = Date.now() + 60_000;
const context = {
  awsRequestId: 'standin-request',
  functionName: handlerString.split('/')[0],
  getRemainingTimeInMillis: () => deadline - Date.now(),
};
const result = await fn(event, context);
console.log(JSON.stringify({ handler: handlerString, result }));
