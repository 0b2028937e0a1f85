// The browser's network boundary: the Chromium flags that send every connection through the server's
// filtering proxy (so that redirects, fetch/XHR, images, iframes, workers, beacons and WebSockets are all
// seen by one policy), and the check a navigation URL passes before the browser is asked to load it.
import { PolicyError } from '@portico-mcp/shared/errors';
import type { UrlPolicy } from '@portico-mcp/shared/net';

/** Chromium flags that route all traffic through `proxyUrl` and close the side doors a proxy does not see. */
export function browserNetworkArgs(proxyUrl: string | undefined): string[] {
  const args = [
    // QUIC and WebRTC's UDP would leave the browser beside an HTTP proxy.
    '--disable-quic',
    '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
    '--webrtc-ip-handling-policy=disable_non_proxied_udp',
    // Chromium's own speculative connections (DNS prefetch, preconnect) happen before any request is made.
    '--dns-prefetch-disable',
    '--disable-features=NetworkPrediction,DnsOverHttps,AsyncDns',
  ];
  if (proxyUrl !== undefined) {
    // `<-loopback>` removes Chromium's implicit bypass of localhost and 127.0.0.1, so the proxy decides on those too.
    args.push(`--proxy-server=${proxyUrl}`, '--proxy-bypass-list=<-loopback>');
  }
  return args;
}

const REFUSED_SCHEMES = new Set(['file:', 'chrome:', 'chrome-extension:', 'chrome-untrusted:', 'devtools:', 'javascript:', 'data:', 'view-source:', 'blob:', 'filesystem:', 'about:']);

/** Parses a URL to navigate to and refuses local schemes and anything the policy refuses, with one sentence. */
export function checkNavigationUrl(url: string, policy: UrlPolicy): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PolicyError(`Refused "${url.slice(0, 200)}": it is not an absolute URL; give one such as https://example.com/.`);
  }
  if (REFUSED_SCHEMES.has(parsed.protocol)) {
    throw new PolicyError(`Refused the ${parsed.protocol} URL: the browser only navigates to http: and https: URLs.`);
  }
  return policy.checkUrl(parsed);
}
