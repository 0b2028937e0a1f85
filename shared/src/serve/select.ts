import { ConfigError } from '../errors/index.js';
import type { CommonConfig } from './flags.js';
import type { AnyToolDefinition } from './tool.js';

/**
 * Applies --read-only, --tools and --exclude-tools. Tools left out are never registered, so a client cannot
 * list or call them. A name in --tools or --exclude-tools that no tool has is a configuration mistake.
 */
export function selectTools(tools: readonly AnyToolDefinition[], common: Pick<CommonConfig, 'readOnly' | 'tools' | 'excludeTools'>): AnyToolDefinition[] {
  const known = new Set(tools.map((tool) => tool.name));
  for (const [flag, names] of [
    ['--tools', common.tools],
    ['--exclude-tools', common.excludeTools],
  ] as const) {
    const unknown = [...(names ?? [])].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new ConfigError(`${flag} names unknown tool${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the tools are ${[...known].join(', ')}.`);
    }
  }
  return tools.filter(
    (tool) =>
      (!common.readOnly || tool.annotations.readOnlyHint) &&
      (common.tools === undefined || common.tools.has(tool.name)) &&
      !common.excludeTools.has(tool.name),
  );
}
