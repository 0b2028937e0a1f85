/**
 * Outbound-URL policy of the fetch and browser servers: scheme allow-list, operator host allow/deny lists,
 * and refusal of private, loopback, link-local and metadata addresses on the resolved address of every
 * connection (every redirect hop, DNS rebinding included).
 */
export { classifyAddress } from './address.js';
export type { AddressClassification } from './address.js';
export { parseHostList, hostListHasName, hostListBlockFor } from './hosts.js';
export type { HostList, AddressBlock } from './hosts.js';
export { systemResolver } from './lookup.js';
export type { LookupCallback, PolicyLookup, ResolvedAddress, ResolveOptions, Resolver } from './lookup.js';
export { agentFor } from './agents.js';
export { displayUrl } from './display.js';
export { formatSeconds, limitConnectTime } from './connect-time.js';
export type { ConnectTimeLimit } from './connect-time.js';
export type { PolicyAgentOptions, PolicyAgents } from './agents.js';
export { UrlPolicy } from './policy.js';
export type { UrlPolicyOptions } from './policy.js';
export { startPolicyProxy } from './proxy.js';
export type { PolicyProxy, PolicyProxyLimits, PolicyProxyOptions, ProxyRefusal } from './proxy.js';
