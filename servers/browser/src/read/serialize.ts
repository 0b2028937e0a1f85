// The rendered page as HTML with only what a person can see: elements that are not displayed, invisible,
// clipped to nothing or pushed off the page are left out (with their text), and open shadow roots are
// written in place. Plain JavaScript run in the page (see snapshot/collect.ts for why a string).

export const VISIBLE_HTML_SOURCE = String.raw`(function (root) {
  var win = window;
  var doc = document;
  var KEEP = { href: 1, src: 1, alt: 1, title: 1, colspan: 1, rowspan: 1, lang: 1, datetime: 1, content: 1, name: 1, property: 1, itemprop: 1 };
  var SKIP = { SCRIPT: 1, STYLE: 1, NOSCRIPT: 1, TEMPLATE: 1, IFRAME: 1, FRAME: 1, OBJECT: 1, EMBED: 1, CANVAS: 1, svg: 1, SVG: 1, LINK: 1 };
  var VOID = { AREA: 1, BR: 1, COL: 1, HR: 1, IMG: 1, INPUT: 1, META: 1, SOURCE: 1, WBR: 1 };
  var docWidth = Math.max(doc.documentElement.scrollWidth, doc.documentElement.clientWidth);
  var docHeight = Math.max(doc.documentElement.scrollHeight, doc.documentElement.clientHeight);
  var parts = [];
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
