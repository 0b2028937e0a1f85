import { readFileSync } from 'node:fs';

/** One documented parameter of an operation (refs already inlined by extract.mjs). */
export interface ParameterSpec {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: object;
}

/** One GitHub REST operation as extract.mjs keeps it from the OpenAPI description. */
export interface OperationSpec {
  operationId: string;
  method: string;
  path: string;
  docs: string;
  /** A route GitHub answers that the description does not document (answered, and reported). */
  undocumented?: true;
  /** false when GitHub Enterprise Server 3.19 does not have the operation. */
  ghes?: false;
  parameters: ParameterSpec[];
  requestBody: { required: boolean; contentType: string; schema: object } | null;
  response: {
    status: number;
    contentType?: string;
    headers: Record<string, string>;
    examples: Record<string, unknown>;
  };
  statuses: number[];
}

/** An operation together with the matcher for its path template. */
export interface Route {
  operation: OperationSpec;
  pattern: RegExp;
  names: string[];
  literalSegments: number;
}

// Parameters GitHub lets carry slashes (file paths, refs such as heads/feature/x, branch names): in the last
// segment of a template they take the rest of the path.
const GREEDY = new Set(['path', 'ref', 'branch', 'tag', 'basehead', 'dir']);

const OPTIONAL_REST = '\u0000rest';

let cache: { operations: OperationSpec[]; routes: Route[] } | undefined;

/** Loads operations.json once per process and compiles a matcher per path template. */
export function loadOperations(): { operations: OperationSpec[]; routes: Route[] } {
  if (cache) return cache;
  const file = JSON.parse(readFileSync(new URL('./operations.json', import.meta.url), 'utf8')) as {
    operations: OperationSpec[];
  };
  const routes = file.operations.map((operation): Route => {
    const segments = operation.path.split('/').slice(1);
    const names: string[] = [];
    let literalSegments = 0;
    const parts = segments.map((segment, index) => {
      if (!segment.includes('{')) {
        literalSegments += 1;
        return escape(segment);
      }
      // A segment may mix literals and parameters ({base}...{head}); each parameter stays inside its segment
      // unless it is a lone, greedy, final one.
      return segment
        .split(/(\{[^}]+\})/)
        .filter((piece) => piece !== '')
        .map((piece) => {
          const name = /^\{([^}]+)\}$/.exec(piece)?.[1];
          if (!name) return escape(piece);
          names.push(name);
          const greedy = index === segments.length - 1 && segment === piece && GREEDY.has(name);
          // A contents path may be empty (octokit then sends …/contents with no slash): the repository's root.
          if (greedy && name === 'path') return OPTIONAL_REST;
          return greedy ? '(.+)' : '([^/]+)';
        })
        .join('');
    });
    const source = `^/${parts.join('/')}$`.replace(`/${OPTIONAL_REST}`, '(?:/(.*))?');
    return { operation, pattern: new RegExp(source), names, literalSegments };
  });
  // Literal segments win over parameters, as on GitHub: /user/repos is not /user/{account_id}.
  routes.sort((a, b) => b.literalSegments - a.literalSegments);
  cache = { operations: file.operations, routes };
  return cache;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Finds the operation a request path names: its route and decoded path parameters. */
export function matchRoute(
  routes: Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | { route: undefined; methodMismatch: boolean } {
  let methodMismatch = false;
  for (const route of routes) {
    const found = route.pattern.exec(path);
    if (!found) continue;
    if (route.operation.method !== method) {
      methodMismatch = true;
      continue;
    }
    const params: Record<string, string> = {};
    route.names.forEach((name, index) => {
      params[name] = decodeURIComponent(found[index + 1] ?? '');
    });
    return { route, params };
  }
  return { route: undefined, methodMismatch };
}
