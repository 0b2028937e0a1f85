// The part of a snapshot that runs inside a frame: one walk of the rendered DOM (open shadow roots and slots
// included) that yields, per element worth showing, its role, accessible name, state and nesting, and the
// elements themselves for actions. It is a plain-JavaScript string, not a TypeScript function, because a
// bundler may rewrite a function's source (helpers such as __name) and the page has none of those helpers.
//
// Why a DOM walk instead of the CDP accessibility tree: one round trip per frame, and the layout facts
// (zero-size, off-screen) that decide whether text is really visible are at hand; the AX tree would need a
// second pass per node for those, and it costs seconds on megabyte pages.

/** One element or text run of a frame, as the collector returns it. */
export interface CollectedEntry {
  /** Nesting depth among the entries shown (containers only add depth). */
  d: number;
  /** Role: an ARIA role, `text` for a text run, `frame` for an iframe. */
  r: string;
  /** Accessible name, or the text of a text run. */
  n: string;
  /** Current value of a field. */
  v?: string;
  /** States: checked, disabled, expanded, selected, hidden (present but not visible)… */
  s?: string[];
  /** Heading level. */
  l?: number;
  /** The options of a select, by label (bounded). */
  o?: string[];
  /** Index into the returned elements when the entry can be acted on or is a container; -1 otherwise. */
  e: number;
}

/** Options of one collection. */
export interface CollectOptions {
  /** Longest text run or name kept, in characters. */
  maxText: number;
}

export const COLLECT_SOURCE = String.raw`(function (options) {
  var entries = [];
  var elements = [];
  var maxText = options.maxText;
  var doc = document;
  var win = window;
  var INTERACTIVE = { button: 1, link: 1, textbox: 1, searchbox: 1, checkbox: 1, radio: 1, combobox: 1, listbox: 1, option: 1, slider: 1, spinbutton: 1, switch: 1, tab: 1, menuitem: 1, menuitemcheckbox: 1, menuitemradio: 1, treeitem: 1 };
  var CONTAINERS = { form: 1, dialog: 1, alertdialog: 1, navigation: 1, main: 1, list: 1, table: 1, group: 1, menu: 1, menubar: 1, tablist: 1, tree: 1, region: 1, row: 1, listbox: 1, combobox: 1, radiogroup: 1, frame: 1 };
  var NAME_FROM_CONTENT = { button: 1, link: 1, heading: 1, option: 1, tab: 1, menuitem: 1, menuitemcheckbox: 1, menuitemradio: 1, treeitem: 1, cell: 1, columnheader: 1, rowheader: 1, switch: 1, checkbox: 1, radio: 1 };
  var SKIP_TAGS = { SCRIPT: 1, STYLE: 1, NOSCRIPT: 1, TEMPLATE: 1, HEAD: 1, META: 1, LINK: 1, svg: 1, SVG: 1 };
  var INPUT_ROLES = { button: 'button', submit: 'button', reset: 'button', image: 'button', checkbox: 'checkbox', radio: 'radio', range: 'slider', number: 'spinbutton', search: 'searchbox', file: 'button', color: 'button' };
  var docWidth = Math.max(doc.documentElement.scrollWidth, doc.documentElement.clientWidth);
  var docHeight = Math.max(doc.documentElement.scrollHeight, doc.documentElement.clientHeight);
  var labelsByFor = null;

  function clip(text) {
    text = text.replace(/\s+/g, ' ').trim();
    return text.length > maxText ? text.slice(0, maxText - 1) + '\u2026' : text;
  }

  function roleOf(el) {
    var explicit = el.getAttribute('role');
    if (explicit) return explicit.split(' ')[0].toLowerCase();
    var tag = el.tagName;
    switch (tag) {
      case 'A': return el.hasAttribute('href') ? 'link' : '';
      case 'AREA': return el.hasAttribute('href') ? 'link' : '';
      case 'BUTTON': return 'button';
      case 'SUMMARY': return 'button';
      case 'INPUT': {
        var type = (el.getAttribute('type') || 'text').toLowerCase();
        if (type === 'hidden') return 'none';
        return INPUT_ROLES[type] || 'textbox';
      }
      case 'TEXTAREA': return 'textbox';
      case 'SELECT': return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
      case 'OPTION': return 'option';
      case 'H1': case 'H2': case 'H3': case 'H4': case 'H5': case 'H6': return 'heading';
      case 'IMG': return el.getAttribute('alt') === '' ? 'none' : 'img';
      case 'UL': case 'OL': return 'list';
      case 'LI': return 'listitem';
      case 'TABLE': return 'table';
      case 'TR': return 'row';
      case 'TD': return 'cell';
      case 'TH': return 'columnheader';
      case 'NAV': return 'navigation';
      case 'MAIN': return 'main';
      case 'FORM': return 'form';
      case 'DIALOG': return 'dialog';
      case 'FIELDSET': return 'group';
      case 'IFRAME': case 'FRAME': return 'frame';
      case 'LABEL': return 'label';
    }
    if (el.isContentEditable && (!el.parentElement || !el.parentElement.isContentEditable)) return 'textbox';
    return '';
  }

  function textOf(node) {
    var out = '';
    var children = node.shadowRoot ? node.shadowRoot.childNodes : node.childNodes;
    for (var i = 0; i < children.length; i++) {
      var child = children[i];
      if (child.nodeType === 3) out += child.nodeValue;
      else if (child.nodeType === 1 && !SKIP_TAGS[child.tagName]) {
        if (child.tagName === 'SLOT') {
          var assigned = child.assignedNodes({ flatten: true });
          for (var j = 0; j < assigned.length; j++) out += assigned[j].nodeType === 3 ? assigned[j].nodeValue : textOf(assigned[j]);
        } else if (child.tagName === 'IMG') out += ' ' + (child.getAttribute('alt') || '') + ' ';
        else out += ' ' + textOf(child) + ' ';
      }
    }
    return out;
  }

  function byIds(el, attr) {
    var ids = (el.getAttribute(attr) || '').split(/\s+/);
    var root = el.getRootNode();
    var parts = [];
    for (var i = 0; i < ids.length; i++) {
      if (!ids[i]) continue;
      var target = root.getElementById ? root.getElementById(ids[i]) : doc.getElementById(ids[i]);
      if (target) parts.push(textOf(target));
    }
    return parts.join(' ');
  }

  function labelFor(el) {
    if (el.labels && el.labels.length > 0) {
      var parts = [];
      for (var i = 0; i < el.labels.length; i++) parts.push(textOf(el.labels[i]));
      return parts.join(' ');
    }
    return '';
  }

  function nameOf(el, role) {
    var name = el.getAttribute('aria-label');
    if (name && name.trim()) return clip(name);
    if (el.hasAttribute('aria-labelledby')) {
      name = byIds(el, 'aria-labelledby');
      if (name.trim()) return clip(name);
    }
    var tag = el.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
      name = labelFor(el);
      if (name.trim()) return clip(name);
      var type = (el.getAttribute('type') || '').toLowerCase();
      if (type === 'submit' || type === 'button' || type === 'reset') return clip(el.value || (type === 'submit' ? 'Submit' : type === 'reset' ? 'Reset' : ''));
      if (type === 'image') return clip(el.getAttribute('alt') || el.value || 'Submit');
      return clip(el.getAttribute('placeholder') || el.getAttribute('title') || el.getAttribute('name') || '');
    }
    if (tag === 'IMG') return clip(el.getAttribute('alt') || el.getAttribute('title') || '');
    if (tag === 'IFRAME' || tag === 'FRAME') return clip(el.getAttribute('title') || el.getAttribute('name') || '');
    if (tag === 'FIELDSET') {
      var legend = el.querySelector('legend');
      if (legend) return clip(textOf(legend));
    }
    if (tag === 'TABLE') {
      var caption = el.querySelector('caption');
      if (caption) return clip(textOf(caption));
    }
    if (NAME_FROM_CONTENT[role]) {
      name = textOf(el);
      if (name.trim()) return clip(name);
    }
    if (role === 'checkbox' || role === 'radio' || role === 'switch') {
      name = labelFor(el);
      if (name.trim()) return clip(name);
    }
    return clip(el.getAttribute('title') || '');
  }

  // 'gone': not rendered at all (skip it and everything in it); 'hidden': rendered but nobody can see it
  // (zero-size clip, pushed off the page): its text is left out and its controls are marked hidden.
  function visibility(el, style) {
    if (style.display === 'none' || style.visibility === 'hidden' || style.visibility === 'collapse') return style.display === 'none' ? 'gone' : 'invisible';
    if (el.getAttribute('aria-hidden') === 'true') return 'gone';
    if (style.display === 'contents') return 'visible';
    var rect = el.getBoundingClientRect();
    var clipped = style.overflow === 'hidden' || style.overflowX === 'hidden' || style.clip === 'rect(0px, 0px, 0px, 0px)' || style.clipPath === 'inset(50%)';
    if (rect.width <= 1 && rect.height <= 1 && (clipped || el.childElementCount === 0)) return 'hidden';
    var left = rect.left + win.scrollX;
    var top = rect.top + win.scrollY;
    if (rect.width > 0 && (left + rect.width <= 0 || top + rect.height <= 0 || left >= docWidth + 1000 || top >= docHeight + 1000)) return 'hidden';
    if (parseFloat(style.fontSize) === 0 && el.childElementCount === 0) return 'hidden';
    return 'visible';
  }

  function stateOf(el, role) {
    var states = [];
    var tag = el.tagName;
    if (role === 'checkbox' || role === 'radio' || role === 'switch' || role === 'menuitemcheckbox' || role === 'menuitemradio') {
      var checked = tag === 'INPUT' ? el.checked : el.getAttribute('aria-checked') === 'true';
      if (checked) states.push('checked');
    }
    if (el.disabled || el.getAttribute('aria-disabled') === 'true') states.push('disabled');
    var expanded = el.getAttribute('aria-expanded');
    if (expanded === 'true') states.push('expanded');
    if (tag === 'DETAILS' && el.open) states.push('expanded');
    if (role === 'option' && (el.selected || el.getAttribute('aria-selected') === 'true')) states.push('selected');
    if (role === 'tab' && el.getAttribute('aria-selected') === 'true') states.push('selected');
    if (el === doc.activeElement && role !== 'frame') states.push('focused');
    return states;
  }

  function valueOf(el, role) {
    var tag = el.tagName;
    if (tag === 'INPUT') {
      var type = (el.getAttribute('type') || 'text').toLowerCase();
      if (type === 'password') return el.value ? '\u2022\u2022\u2022' : '';
      if (role === 'textbox' || role === 'searchbox' || role === 'spinbutton' || role === 'slider') return clip(el.value || '');
      if (type === 'file') return clip(Array.prototype.map.call(el.files || [], function (f) { return f.name; }).join(', '));
      return '';
    }
    if (tag === 'TEXTAREA') return clip(el.value || '');
    if (tag === 'SELECT') {
      var chosen = [];
      for (var i = 0; i < el.options.length; i++) if (el.options[i].selected) chosen.push(el.options[i].label || el.options[i].text);
      return clip(chosen.join(', '));
    }
    if (role === 'textbox' && el.isContentEditable) return clip(el.innerText || '');
    return '';
  }

  function register(el) {
    elements.push(el);
    return elements.length - 1;
  }

  var pendingText = '';
  var pendingDepth = 0;
  function flushText() {
    var text = clip(pendingText);
    if (text) entries.push({ d: pendingDepth, r: 'text', n: text, e: -1 });
    pendingText = '';
  }

  function walkChildren(node, depth, hidden) {
    var children = node.shadowRoot ? node.shadowRoot.childNodes : node.childNodes;
    for (var i = 0; i < children.length; i++) walk(children[i], depth, hidden);
  }

  function walk(node, depth, hidden) {
    if (node.nodeType === 3) {
      if (hidden) return;
      if (pendingDepth !== depth) flushText();
      pendingDepth = depth;
      pendingText += node.nodeValue;
      return;
    }
    if (node.nodeType !== 1) return;
    var el = node;
    var tag = el.tagName;
    if (SKIP_TAGS[tag]) return;
    if (tag === 'SLOT') {
      var assigned = el.assignedNodes({ flatten: true });
      if (assigned.length === 0) walkChildren(el, depth, hidden);
      for (var k = 0; k < assigned.length; k++) walk(assigned[k], depth, hidden);
      return;
    }
    var style = win.getComputedStyle(el);
    var seen = visibility(el, style);
    if (seen === 'gone') return;
    var isHidden = hidden || seen === 'hidden';
    var role = seen === 'invisible' ? '' : roleOf(el);
    if (role === 'none' || role === 'presentation') role = '';
    var block = style.display !== 'inline' && style.display !== 'contents';
    if (role === 'label' && el.control) {
      // A label that names a control is already that control's name: show the control, not the text twice.
      var wrapped = el.querySelectorAll('input,select,textarea,button');
      for (var w = 0; w < wrapped.length; w++) walk(wrapped[w], depth, isHidden);
      return;
    }
    if (role === 'label' || role === 'listitem' || role === 'cell' || role === 'columnheader' || role === 'rowheader') {
      // Text-bearing structure: shown as its text, not as an entry of its own.
      if (block) flushText();
      walkChildren(el, depth, isHidden);
      if (block) flushText();
      return;
    }
    var interactive = INTERACTIVE[role] === 1;
    var container = CONTAINERS[role] === 1;
    if (!interactive && !container && role !== 'heading' && role !== 'img') {
      if (seen === 'invisible') {
        // visibility:hidden hides this element's own text, yet a child may make itself visible again.
        walkChildren(el, depth, true);
        return;
      }
      if (block) flushText();
      walkChildren(el, depth, isHidden);
      if (block) flushText();
      return;
    }
    flushText();
    var name = nameOf(el, role);
    if (role === 'heading') {
      if (!isHidden && name) entries.push({ d: depth, r: 'heading', n: name, l: Number(el.getAttribute('aria-level') || tag.slice(1)) || 2, e: -1 });
      return;
    }
    if (role === 'img') {
      if (!isHidden && name) entries.push({ d: depth, r: 'img', n: name, e: -1 });
      return;
    }
    var entry = { d: depth, r: role, n: name, e: register(el) };
    var value = interactive ? valueOf(el, role) : '';
    if (value) entry.v = value;
    var states = stateOf(el, role);
    if (isHidden) states.push('hidden');
    if (states.length) entry.s = states;
    entries.push(entry);
    if (role === 'frame') return;
    if (tag === 'SELECT') {
      // Options are the choices of browser_select_option; list them (bounded) without refs of their own.
      var names = [];
      for (var o = 0; o < el.options.length && o < 25; o++) names.push(clip(el.options[o].label || el.options[o].text));
      if (el.options.length > 25) names.push('\u2026 ' + (el.options.length - 25) + ' more');
      entry.o = names;
      return;
    }
    if (interactive && NAME_FROM_CONTENT[role]) {
      // The content was read into the name; a control's inner structure is not shown again, except
      // nested controls (a link inside a button is rare but real).
      var nested = el.querySelectorAll('a[href],button,input,select,textarea');
      for (var n = 0; n < nested.length; n++) walk(nested[n], depth + 1, isHidden);
      return;
    }
    if (interactive) return;
    walkChildren(el, depth + 1, isHidden);
    flushText();
  }

  if (doc.body) walk(doc.body, 0, false);
  flushText();
  return { entries: entries, elements: elements, title: doc.title, url: location.href };
})`;
