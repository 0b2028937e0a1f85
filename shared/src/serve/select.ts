import { isAppOnly } from '../apps/index.js';
import { ConfigError } from '../errors/index.js';
import type { CommonConfig } from './flags.js';
import type { AnyToolDefinition } from './tool.js';

/** The name that turns on every opt-in toolset. */
export const ALL_TOOLSETS = 'all';

/**
 * Applies --toolsets, --tools, --exclude-tools and --read-only. The default list is every tool without a
 * toolset; --toolsets adds opt-in groups; --tools names exactly the tools wanted, from any toolset. Tools left
 * out are never registered, so a client cannot list or call them. A name that matches no tool or toolset is
 * a configuration mistake, reported with the names there are. App-only tools (`ui.visibility: ['app']`) are
 * on whenever apps are.
 */
export function selectTools(
  tools: readonly AnyToolDefinition[],
  common: Pick<CommonConfig, 'readOnly' | 'tools' | 'excludeTools'> & {
    toolsets?: ReadonlySet<string>;
    apps?: boolean;
  },
): AnyToolDefinition[] {
  const known = new Set(tools.map((tool) => tool.name));
  for (const [flag, names] of [
    ['--tools', common.tools],
    ['--exclude-tools', common.excludeTools],
  ] as const) {
    const unknown = [...(names ?? [])].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new ConfigError(
        `${flag} names unknown tool${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the tools are ${[...known].join(', ')}.`,
      );
    }
  }
  const toolsets = toolsetNames(tools);
  const wanted = common.toolsets ?? new Set<string>();
  const unknownSets = [...wanted].filter((name) => name !== ALL_TOOLSETS && !toolsets.includes(name));
  if (unknownSets.length > 0) {
    const offered =
      toolsets.length > 0
        ? `the toolsets are ${[...toolsets, ALL_TOOLSETS].join(', ')}`
        : 'this server has no opt-in toolsets';
    throw new ConfigError(
      `--toolsets names unknown toolset${unknownSets.length > 1 ? 's' : ''} ${unknownSets.join(', ')}; ${offered}.`,
    );
  }
  // App-only tools serve the views of the tools the model sees: they follow --no-apps, not the tool lists.
  const enabled = (tool: AnyToolDefinition) =>
    isAppOnly(tool.ui)
      ? common.apps !== false
      : common.tools !== undefined
        ? common.tools.has(tool.name)
        : tool.toolset === undefined || wanted.has(ALL_TOOLSETS) || wanted.has(tool.toolset);
  return tools.filter(
    (tool) =>
      enabled(tool) && (!common.readOnly || tool.annotations.readOnlyHint) && !common.excludeTools.has(tool.name),
  );
}

/** The opt-in toolsets among `tools`, in the order they first appear. */
export function toolsetNames(tools: readonly AnyToolDefinition[]): string[] {
  return [...new Set(tools.flatMap((tool) => (tool.toolset === undefined ? [] : [tool.toolset])))];
}
