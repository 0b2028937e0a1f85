import type { PromptMessage } from '@modelcontextprotocol/server';
import type * as z from 'zod';
import type { ExtraContext } from './resource.js';

/** What a prompt returns; text messages are cut to the reply budget by the kernel. */
export interface PromptReply {
  description?: string;
  messages: PromptMessage[];
  /** This reply's own way on when cut, instead of the definition's (it can name a position in what it sent). */
  continueHint?: ContinueHint;
}

/**
 * How to get what a cut prompt left out, in words. A function is given how many characters of the cut
 * message were kept, for a hint that names where to go on.
 */
export type ContinueHint = string | ((kept: { chars: number }) => string);

/** A prompt, answered through the kernel's budget and error mapping. */
export interface PromptDefinition<Args extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  argsSchema?: Args;
  /** How to get what a cut prompt left out, in words: "call the fetch tool with start_index". */
  continueHint?: ContinueHint;
  handler(args: z.infer<Args>, context: ExtraContext): Promise<PromptReply> | PromptReply;
}

/** A prompt definition of any argument type, as kept in a server's surface. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPromptDefinition = PromptDefinition<any>;

/** Declares a prompt with its argument types inferred from `argsSchema`. */
export function definePrompt<Args extends z.ZodObject>(definition: PromptDefinition<Args>): PromptDefinition<Args> {
  return definition;
}
