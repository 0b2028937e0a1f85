import type { LookupFunction } from 'node:net';
import type { Resolver } from '../src/net/index.js';

/** The unguarded counterpart of an injected resolver, for the control requests that prove an attack bites. */
export function plainLookup(resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { family: 0 }).then(
      (addresses) => {
        const first = addresses[0];
        if (first === undefined) return callback(new Error(`no address for ${hostname}`), '');
        if (options.all === true)
          return callback(
            null,
            addresses.map((entry) => ({ ...entry })),
          );
        return callback(null, first.address, first.family);
      },
      (error: Error) => callback(error, ''),
    );
  };
}
