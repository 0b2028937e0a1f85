// The rendered page as HTML with only what a person can see: elements that are not displayed, invisible,
// clipped to nothing or pushed off the page are left out (with their text), and open shadow roots are
// written in place. Plain JavaScript run in the page (see snapshot/collect.ts for why a string).
//
// Given `long` options and no root, a page that marks its main content (one <article>/<main> holding most of
// the text) or whose text is long comes back as its main container's blocks, each serialised on its own, so
// that only the blocks a read reaches are serialised, sent, parsed and converted, a window at a time (on a 2 MB
// article, serialising all of it in the page and parsing and measuring it in the server was 0.8 s; a read
// of the first 100 KB needs a twentieth of that).

/** What the page sends for a long or marked page: its head and the visible HTML of each top-level block. */
export interface VisibleBlocks {
  head: string;
  /** The document's base URL, as the browser resolved it. */
  base: string;
  /** The visible HTML of the blocks, one after the other: one string crosses CDP far faster than many. */
  html: string;
  /** Where each block ends in `html`; a block is one block element and the inline run after it. */
  ends: number[];
  /** The container's child to serialise from on the next call, or -1 when these were the last blocks. */
  next: number;
}

export const VISIBLE_HTML_SOURCE = String.raw`(function (root, long) {
  var win = window;
  var doc = document;
  var KEEP = { href: 1, src: 1, alt: 1, title: 1, colspan: 1, rowspan: 1, lang: 1, datetime: 1, content: 1, name: 1, property: 1, itemprop: 1 };
  var SKIP = { SCRIPT: 1, STYLE: 1, NOSCRIPT: 1, TEMPLATE: 1, IFRAME: 1, FRAME: 1, OBJECT: 1, EMBED: 1, CANVAS: 1, svg: 1, SVG: 1, LINK: 1 };
  var VOID = { AREA: 1, BR: 1, COL: 1, HR: 1, IMG: 1, INPUT: 1, META: 1, SOURCE: 1, WBR: 1 };
  var docWidth = Math.max(doc.documentElement.scrollWidth, doc.documentElement.clientWidth);
  var docHeight = Math.max(doc.documentElement.scrollHeight, doc.documentElement.clientHeight);
  var parts = [];
  // Set when the whole body is read block by block: its navigation and footers are chrome, not content.
  var skipChrome = false;
  function esc(text) { return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
  function attr(text) { return esc(text).replace(/"/g, '&quot;'); }
  function hidden(el) {
    var style = win.getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || el.getAttribute('aria-hidden') === 'true') return true;
    if (style.display === 'contents') return false;
    var rect = el.getBoundingClientRect();
    var clipped = style.overflow === 'hidden' || style.clip === 'rect(0px, 0px, 0px, 0px)' || style.clipPath === 'inset(50%)';
    if (rect.width <= 1 && rect.height <= 1 && (clipped || el.childElementCount === 0) && el.tagName !== 'BR' && el.tagName !== 'WBR') return true;
    var left = rect.left + win.scrollX;
    var top = rect.top + win.scrollY;
    if (rect.width > 0 && (left + rect.width <= 0 || top + rect.height <= 0 || left >= docWidth + 1000 || top >= docHeight + 1000)) return true;
    return false;
  }
  function children(node) {
    var list = node.shadowRoot ? node.shadowRoot.childNodes : node.childNodes;
    for (var i = 0; i < list.length; i++) write(list[i]);
  }
  function write(node) {
    if (node.nodeType === 3) { parts.push(esc(node.nodeValue)); return; }
    if (node.nodeType !== 1) return;
    var el = node;
    var tag = el.tagName;
    if (SKIP[tag]) return;
    if (skipChrome && (tag === 'NAV' || tag === 'FOOTER' || el.getAttribute('role') === 'navigation')) return;
    if (tag === 'SLOT') {
      var assigned = el.assignedNodes({ flatten: true });
      if (assigned.length === 0) children(el);
      for (var k = 0; k < assigned.length; k++) write(assigned[k]);
      return;
    }
    if (tag !== 'HEAD' && tag !== 'TITLE' && tag !== 'META' && hidden(el)) return;
    var name = tag.toLowerCase();
    var open = '<' + name;
    for (var a = 0; a < el.attributes.length; a++) {
      var at = el.attributes[a];
      if (KEEP[at.name]) open += ' ' + at.name + '="' + attr(at.value) + '"';
    }
    if (tag === 'A' && el.href) open = open.replace(/ href="[^"]*"/, '') + ' href="' + attr(el.href) + '"';
    if (tag === 'IMG' && el.currentSrc) open = open.replace(/ src="[^"]*"/, '') + ' src="' + attr(el.currentSrc) + '"';
    parts.push(open + '>');
    if (VOID[tag]) return;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') { parts.push('</' + name + '>'); return; }
    children(el);
    parts.push('</' + name + '>');
  }
  function visible(text) { return text.replace(/\s+/g, '').length; }
  function serialize(node) { parts = []; write(node); return parts.join(''); }
  function headHtml() {
    parts = ['<head><title>' + esc(doc.title) + '</title>'];
    var metas = doc.head ? doc.head.querySelectorAll('meta[name],meta[property],base[href]') : [];
    for (var m = 0; m < metas.length; m++) write(metas[m]);
    parts.push('</head>');
    return parts.join('');
  }
  if (!root && long && doc.body) {
    var bodyText = visible(doc.body.textContent || '');
    var marked = Array.prototype.filter.call(doc.querySelectorAll('article, main, [role="main"]'), function (el) {
      for (var up = el.parentElement; up; up = up.parentElement) if (up.matches('article, main, [role="main"]')) return false;
      return true;
    });
    var main = marked.length === 1 && visible(marked[0].textContent || '') >= long.minShare * bodyText ? marked[0] : bodyText > long.minChars ? doc.body : null;
    if (main) {
      skipChrome = main === doc.body;
      var container = main;
      // Wrappers (a lone <div> around everything) are entered so that the blocks are the real ones.
      while (container.children.length === 1) {
        var direct = '';
        for (var c = 0; c < container.childNodes.length; c++) if (container.childNodes[c].nodeType === 3) direct += container.childNodes[c].nodeValue;
        if (visible(direct) > 0) break;
        container = container.children[0];
      }
      var head = long.start > 0 ? '' : headHtml();
      var blockTags = {};
      for (var t = 0; t < long.blockTags.length; t++) blockTags[long.blockTags[t]] = 1;
      var out = [];
      var ends = [];
      var size = 0;
      var next = -1;
      for (var b = long.start; b < container.childNodes.length; b++) {
        var child = container.childNodes[b];
        // Only as much as the read needs is serialised now; the next call goes on from a block boundary.
        if (size >= long.maxHtml && blockTags[child.nodeName]) { next = b; break; }
        var html = serialize(child);
        if (html === '') continue;
        // An inline run joins the block before it, so that no batch of blocks splits a sentence.
        if (blockTags[child.nodeName] || ends.length === 0) ends.push(size);
        out.push(html);
        size += html.length;
        ends[ends.length - 1] = size;
      }
      return { head: head, base: doc.baseURI, html: out.join(''), ends: ends, next: next };
    }
  }
  if (root) {
    write(root);
    return '<!DOCTYPE html><html><head><title>' + esc(doc.title) + '</title></head><body>' + parts.join('') + '</body></html>';
  }
  parts.push('<!DOCTYPE html><html><head><title>' + esc(doc.title) + '</title>');
  var metas = doc.head ? doc.head.querySelectorAll('meta[name],meta[property],base[href]') : [];
  for (var m = 0; m < metas.length; m++) write(metas[m]);
  parts.push('</head>');
  if (doc.body) write(doc.body);
  parts.push('</html>');
  return parts.join('');
})`;
