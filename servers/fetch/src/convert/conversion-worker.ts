// Entry of a conversion worker thread (bundled to dist/conversion-worker.cjs): converts one response at a
// time, so that a page that takes long or needs much memory can be stopped by ending the thread.
import { parentPort } from 'node:worker_threads';
import { isPorticoError } from '@portico-mcp/shared/errors';
import { convertResponse } from './document.js';
import type { ConversionReply, ConversionRequest } from './messages.js';

const port = parentPort;
if (port === null) throw new Error('conversion-worker runs only as a worker thread');

port.on('message', (request: ConversionRequest) => {
  void convert(request).then((reply) => port.postMessage(reply));
});

async function convert(request: ConversionRequest): Promise<ConversionReply> {
  try {
    const headers = new Map<string, string>(
      request.contentType === undefined ? [] : [['content-type', request.contentType]],
    );
    const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
    const document = await convertResponse(
      { url: new URL(request.url), headers, body },
      {
        raw: request.raw,
        maxDecodedBytes: request.maxDecodedBytes,
        onProgress: (message) =>
          port!.postMessage({ id: request.id, type: 'progress', message } satisfies ConversionReply),
      },
    );
    return { id: request.id, type: 'done', document };
  } catch (error) {
    // Only a Portico error's sentence crosses back: a library's message can quote the document. The
    // operator's log (stderr, never the client) gets the details.
    if (!isPorticoError(error)) console.error('portico-fetch: conversion failed', error);
    return isPorticoError(error)
      ? { id: request.id, type: 'failed', code: error.code, message: error.message }
      : { id: request.id, type: 'failed' };
  }
}
