import type { Logger } from '../log/index.js';
import type { Ask } from './ask.js';

/** What a resource or prompt handler gets besides its arguments. */
export interface ExtraContext {
  signal: AbortSignal;
  log: Logger;
  era: 'legacy' | 'modern';
  /** Asks the client for input, in either era; see `ToolContext.ask` (prompts/get and resources/read can ask too). */
  ask: Ask;
}

/** One entry of a template's resource listing. */
export interface ListedResource {
  uri: string;
  name: string;
  description?: string;
  mimeType?: string;
}

/** What a read returns: text (cut to the reply budget by the kernel) or a base64 blob (refused when over it). */
export type ResourceContents = { text: string; mimeType?: string } | { blob: string; mimeType: string };

/** A resource: a fixed URI or a URI template (`sqlite://table/{name}`), read through the kernel's budget and error mapping. */
export interface ResourceDefinition {
  name: string;
  /** A fixed URI, or an RFC 6570 template whose `{variables}` arrive decoded in `read`. */
  uri: string;
  title: string;
  description: string;
  mimeType: string;
  /** For a template: the concrete resources it offers, for resources/list. */
  list?: (context: ExtraContext) => Promise<ListedResource[]>;
  read(
    uri: URL,
    variables: Readonly<Record<string, string>>,
    context: ExtraContext,
  ): Promise<ResourceContents | string>;
  /** How to get what a cut read left out, in words: "use describe_table for one table". */
  continueHint?: string;
}

/** Declares a resource. */
export function defineResource(definition: ResourceDefinition): ResourceDefinition {
  return definition;
}

/** Whether a resource URI is a template. */
export function isTemplateUri(uri: string): boolean {
  return /\{[^}]+\}/.test(uri);
}
