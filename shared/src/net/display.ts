// Long enough to tell pages apart, short enough that a refused 100 KB URL does not fill a reply.
const MAX_SHOWN_URL = 200;

/** A URL as it may appear in a message, log line or reply: without credentials, at most 200 characters. */
export function displayUrl(url: string | URL): string {
  let text: string;
  try {
    const copy = new URL(typeof url === 'string' ? url : url.href);
    // Credentials are allowed in a URL but never repeated in a message that may be logged or shown to a model.
    copy.username = '';
    copy.password = '';
    text = copy.href;
  } catch {
    text = String(url);
  }
  return text.length > MAX_SHOWN_URL ? `${text.slice(0, MAX_SHOWN_URL)}…` : text;
}
