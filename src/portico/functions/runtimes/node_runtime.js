// Portico's Node.js runtime: a loop on the Lambda Runtime API 2018-06-01 (AWS Lambda Developer
// Guide, "Using the Lambda runtime API for custom runtimes"; "Define Lambda function handler in
// Node.js": async and callback handlers, the context object, console lines with the request id).
'use strict';

const http = require('http');
const path = require('path');
const fs = require('fs');
const util = require('util');
const { pathToFileURL } = require('url');

const [HOST, PORT] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const BASE = '/2018-06-01/runtime';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let currentRequestId = undefined;

function call(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = http.request(
      { host: HOST, port: Number(PORT), method, path: BASE + urlPath, agent,
        headers: Object.assign(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}, headers || {}) },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      const message = util.format(...args).replace(/\n/g, '\r');
      process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}\n`);
    };
  }
}

function errorDocument(err, fallbackType) {
  if (err instanceof Error) {
    return { errorType: err.name || fallbackType, errorMessage: err.message,
             trace: String(err.stack || '').split('\n') };
  }
  return { errorType: fallbackType, errorMessage: typeof err === 'string' ? err : JSON.stringify(err), trace: [] };
}

function typedError(type, message) {
  const err = new Error(message);
  err.name = type;
  return err;
}

async function loadHandler() {
  const spec = process.env._HANDLER || '';
  const root = process.env.LAMBDA_TASK_ROOT;
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) throw typedError('Runtime.MalformedHandlerName', `Bad handler ${spec}`);
  const modulePath = spec.slice(0, dot);
  const name = spec.slice(dot + 1);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => path.resolve(root, modulePath + ext)).find((f) => fs.existsSync(f));
  if (!file) throw typedError('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'`);
  let mod;
  try {
    if (file.endsWith('.mjs')) {
      mod = await import(pathToFileURL(file).href);
    } else {
      try {
        mod = require(file);
      } catch (err) {
        if (err && err.code === 'ERR_REQUIRE_ESM') mod = await import(pathToFileURL(file).href);
        else throw err;
      }
    }
  } catch (err) {
    if (err instanceof SyntaxError) throw typedError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`);
    throw typedError('Runtime.ImportModuleError', `${err && err.name}: ${err && err.message}`);
  }
  const handler = mod[name] !== undefined ? mod[name] : (mod.default || {})[name];
  if (typeof handler !== 'function') {
    throw typedError('Runtime.HandlerNotFound', `${spec} is undefined or not exported`);
  }
  return handler;
}

function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const context = {
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  if (headers['lambda-runtime-client-context']) context.clientContext = JSON.parse(headers['lambda-runtime-client-context']);
  if (headers['lambda-runtime-cognito-identity']) context.identity = JSON.parse(headers['lambda-runtime-cognito-identity']);
  return context;
}

function run(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (err, result) => (err ? reject(err) : resolve(result));
    context.succeed = (result) => resolve(result);
    context.fail = (err) => reject(err);
    context.done = callback;
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    } catch (err) {
      reject(err);
    }
  });
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    const doc = errorDocument(err, 'Runtime.ImportModuleError');
    console.error(JSON.stringify(doc));
    await call('POST', '/init/error', JSON.stringify(doc), { 'Lambda-Runtime-Function-Error-Type': doc.errorType });
    process.exit(1);
  }
  process.on('uncaughtException', async (err) => {
    const doc = errorDocument(err, 'Runtime.UncaughtException');
    console.error(`Uncaught Exception\t${JSON.stringify(doc)}`);
    if (currentRequestId) {
      await call('POST', `/invocation/${currentRequestId}/error`, JSON.stringify(doc),
        { 'Lambda-Runtime-Function-Error-Type': doc.errorType }).catch(() => {});
    }
    process.exit(129);
  });
  for (;;) {
    const next = await call('GET', '/invocation/next');
    if (next.status !== 200) process.exit(0);
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'] || '';
    try {
      const event = JSON.parse(next.body.toString('utf8') || 'null');
      const result = await run(handler, event, makeContext(next.headers));
      const body = JSON.stringify(result === undefined ? null : result);
      await call('POST', `/invocation/${requestId}/response`, body);
    } catch (err) {
      const doc = errorDocument(err, 'Error');
      console.error(`Invoke Error \t${JSON.stringify(doc)}`);
      await call('POST', `/invocation/${requestId}/error`, JSON.stringify(doc), { 'Lambda-Runtime-Function-Error-Type': doc.errorType });
    }
  }
}

main().catch((err) => {
  process.stderr.write(`Portico Node.js runtime failed: ${err && err.stack}\n`);
  process.exit(1);
});
