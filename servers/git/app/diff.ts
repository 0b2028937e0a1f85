// The diff view of git_diff, git_diff_staged, git_diff_unstaged, git_show and git_compare, rendered by MCP Apps
// hosts in a sandboxed iframe. It asks git_diff_view (an app-only tool) for the changed files of the same
// diff, shows each unified or side by side, and fetches a large file only when it is opened.
import { App, applyDocumentTheme, applyHostFonts, applyHostStyleVariables } from '@modelcontextprotocol/ext-apps';
import type { McpUiHostContext } from '@modelcontextprotocol/ext-apps';

interface DiffFile {
  path: string;
  old_path?: string;
  status: string;
  added: number | null;
  removed: number | null;
  binary: boolean;
  non_utf8?: boolean;
  collapsed?: boolean;
  patch?: string;
}
type Layout = 'unified' | 'split';

const TOOL_SOURCES: Record<string, string> = {
  git_diff: 'diff',
  git_diff_staged: 'staged',
  git_diff_unstaged: 'unstaged',
  git_show: 'show',
  git_compare: 'compare',
};
const STATUS_WORDS: Record<string, string> = {
  A: 'added',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'type changed',
  M: 'modified',
};

const state = {
  args: {} as Record<string, unknown>,
  request: undefined as Record<string, unknown> | undefined,
  files: [] as DiffFile[],
  layout: 'unified' as Layout,
  busy: false,
  loaded: false,
  error: undefined as string | undefined,
  opening: new Set<number>(),
};

const root = document.getElementById('app')!;
const app = new App({ name: 'portico-git-diff', version: '1.0.0' });

app.ontoolinput = ({ arguments: args }) => {
  state.args = args ?? {};
};

app.ontoolresult = (result) => {
  if (result.isError) return fail(firstText(result.content) ?? 'The diff failed.');
  const source = sourceOf(firstText(result.content) ?? '');
  const { repo_path, target, revision, base, head, context_lines, paths } = state.args;
  state.request = { repo_path, source, ...defined({ target, revision, base, head, context_lines, paths }) };
  void load();
};

app.onhostcontextchanged = (context) => theme(context);

function defined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

/** Which tool's diff this is: from the host's tool info, else from the arguments and the result's first line. */
function sourceOf(text: string): string {
  const name = app.getHostContext()?.toolInfo?.tool.name;
  if (name && TOOL_SOURCES[name]) return TOOL_SOURCES[name]!;
  if (typeof state.args.base === 'string') return 'compare';
  if (typeof state.args.revision === 'string') return 'show';
  if (typeof state.args.target === 'string') return 'diff';
  return text.startsWith('Staged') ? 'staged' : 'unstaged';
}

function theme(context: McpUiHostContext | undefined): void {
  if (context?.theme) applyDocumentTheme(context.theme);
  if (context?.styles?.variables) applyHostStyleVariables(context.styles.variables);
  if (context?.styles?.css?.fonts) applyHostFonts(context.styles.css.fonts);
}

function firstText(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  return (content.find((item) => (item as { type?: string })?.type === 'text') as { text?: string } | undefined)?.text;
}

function fail(message: string): void {
  state.error = message;
  state.busy = false;
  render();
}

async function view(extra: Record<string, unknown>): Promise<DiffFile[] | undefined> {
  const result = await app.callServerTool({ name: 'git_diff_view', arguments: { ...state.request, ...extra } });
  if (result.isError) {
    fail(firstText(result.content) ?? 'The diff could not be read.');
    return undefined;
  }
  return (result.structuredContent as { files: DiffFile[] }).files;
}

async function load(): Promise<void> {
  state.busy = true;
  render();
  try {
    const files = await view({});
    if (!files) return;
    state.files = files;
    state.loaded = true;
    state.busy = false;
    render();
  } catch (error) {
    fail(`The diff could not be read: ${(error as Error).message}`);
  }
}

/** Fetches one collapsed file's hunks. */
async function open(index: number): Promise<void> {
  const file = state.files[index]!;
  state.opening.add(index);
  render();
  try {
    const files = await view({ file: file.path, ...(file.old_path ? { old_file: file.old_path } : {}) });
    const fetched = files?.find((candidate) => candidate.path === file.path);
    if (fetched?.patch !== undefined)
      state.files[index] = {
        ...file,
        patch: fetched.patch,
        collapsed: false,
        ...(fetched.non_utf8 ? { non_utf8: true } : {}),
      };
  } finally {
    state.opening.delete(index);
    render();
    (root.querySelector(`#file-${index} h2`) as HTMLElement | null)?.focus();
  }
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

const changedLines = (file: DiffFile) => (file.added ?? 0) + (file.removed ?? 0);

function render(): void {
  const children: Node[] = [element('h1', {}, 'Changes')];
  const toolbar = element('div', { class: 'toolbar', role: 'group', 'aria-label': 'Layout' });
  for (const layout of ['unified', 'split'] as const) {
    const button = element(
      'button',
      { type: 'button', 'data-layout': layout, 'aria-pressed': String(state.layout === layout) },
      layout === 'unified' ? 'Unified' : 'Side by side',
    );
    button.addEventListener('click', () => {
      state.layout = layout;
      render();
      (root.querySelector(`[data-layout="${layout}"]`) as HTMLElement | null)?.focus();
    });
    toolbar.append(button);
  }
  children.push(toolbar);
  const status = element('p', { class: 'status', role: 'status' });
  const added = state.files.reduce((sum, file) => sum + (file.added ?? 0), 0);
  const removed = state.files.reduce((sum, file) => sum + (file.removed ?? 0), 0);
  status.textContent = state.busy
    ? 'Reading…'
    : state.loaded
      ? `${state.files.length} file${state.files.length === 1 ? '' : 's'} changed, ${added} lines added, ${removed} removed`
      : '';
  children.push(status);
  if (state.error) children.push(element('p', { class: 'error', role: 'alert' }, state.error));
  if (state.files.length > 0) {
    const list = element('ul', { class: 'files', 'aria-label': 'Changed files' });
    state.files.forEach((file, index) => {
      const link = element('a', { href: `#file-${index}` }, fileName(file));
      list.append(element('li', {}, link, ' ', ...labels(file), counts(file)));
    });
    children.push(element('nav', { 'aria-label': 'Files' }, list));
    state.files.forEach((file, index) => children.push(section(file, index)));
  }
  root.replaceChildren(...children);
}

function fileName(file: DiffFile): string {
  return file.old_path && file.old_path !== file.path ? `${file.old_path} → ${file.path}` : file.path;
}

function labels(file: DiffFile): Node[] {
  const out: Node[] = [];
  if (file.status !== 'M')
    out.push(element('span', { class: `label status-${file.status}` }, STATUS_WORDS[file.status] ?? file.status));
  if (file.binary) out.push(element('span', { class: 'label binary' }, 'binary'));
  if (file.non_utf8) out.push(element('span', { class: 'label encoding' }, 'not UTF-8 (shown as Latin-1)'));
  return out;
}

function counts(file: DiffFile): Node {
  if (file.binary) return element('span', { class: 'counts' });
  return element(
    'span',
    { class: 'counts', 'aria-label': `${file.added} added, ${file.removed} removed` },
    element('span', { class: 'plus' }, `+${file.added}`),
    ' ',
    element('span', { class: 'minus' }, `−${file.removed}`),
  );
}

function section(file: DiffFile, index: number): HTMLElement {
  const heading = element('h2', { tabindex: '-1' }, fileName(file), ' ', ...labels(file), counts(file));
  const body: Node[] = [];
  if (file.binary) body.push(element('p', { class: 'note' }, 'Binary file: its content is not shown.'));
  else if (file.patch !== undefined)
    body.push(
      file.patch === '' ? element('p', { class: 'note' }, 'No line changes (mode or rename only).') : hunks(file.patch),
    );
  else if (file.collapsed) {
    const button = element(
      'button',
      { type: 'button', 'data-open': String(index) },
      state.opening.has(index) ? 'Reading…' : `Show this large diff (${changedLines(file)} changed lines)`,
    );
    button.disabled = state.opening.has(index);
    button.addEventListener('click', () => void open(index));
    body.push(button);
  }
  return element('section', { id: `file-${index}`, class: 'file', 'aria-label': fileName(file) }, heading, ...body);
}

interface Line {
  kind: 'add' | 'del' | 'ctx' | 'hunk' | 'note';
  text: string;
  old?: number;
  new?: number;
}

function parse(patch: string): Line[] {
  const lines: Line[] = [];
  let oldLine = 0;
  let newLine = 0;
  for (const raw of patch.split('\n')) {
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(raw);
    if (hunk) {
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      lines.push({ kind: 'hunk', text: raw });
    } else if (raw.startsWith('+')) lines.push({ kind: 'add', text: raw.slice(1), new: newLine++ });
    else if (raw.startsWith('-')) lines.push({ kind: 'del', text: raw.slice(1), old: oldLine++ });
    else if (raw.startsWith(' ')) lines.push({ kind: 'ctx', text: raw.slice(1), old: oldLine++, new: newLine++ });
    else if (raw.startsWith('\\')) lines.push({ kind: 'note', text: raw });
  }
  return lines;
}

const MARK = { add: '+', del: '−', ctx: '', hunk: '', note: '' } as const;

function hunks(patch: string): HTMLElement {
  const lines = parse(patch);
  const head =
    state.layout === 'unified'
      ? element(
          'tr',
          {},
          element('th', { scope: 'col' }, 'Old'),
          element('th', { scope: 'col' }, 'New'),
          element('th', { scope: 'col' }, 'Line'),
        )
      : element(
          'tr',
          {},
          element('th', { scope: 'col' }, 'Old'),
          element('th', { scope: 'col' }, 'Before'),
          element('th', { scope: 'col' }, 'New'),
          element('th', { scope: 'col' }, 'After'),
        );
  const body = element('tbody');
  if (state.layout === 'unified') {
    for (const line of lines) {
      body.append(
        line.kind === 'hunk' || line.kind === 'note'
          ? element('tr', { class: line.kind }, element('td', { colspan: '3' }, line.text))
          : element(
              'tr',
              { class: line.kind },
              element('td', { class: 'no' }, line.old?.toString() ?? ''),
              element('td', { class: 'no' }, line.new?.toString() ?? ''),
              code(line),
            ),
      );
    }
  } else {
    // Side by side: a run of removals pairs with the run of additions after it, row by row.
    for (let index = 0; index < lines.length;) {
      const line = lines[index]!;
      if (line.kind === 'hunk' || line.kind === 'note' || line.kind === 'ctx') {
        body.append(
          line.kind === 'ctx'
            ? element(
                'tr',
                { class: 'ctx' },
                element('td', { class: 'no' }, String(line.old)),
                code(line),
                element('td', { class: 'no' }, String(line.new)),
                code(line),
              )
            : element('tr', { class: line.kind }, element('td', { colspan: '4' }, line.text)),
        );
        index++;
        continue;
      }
      const removed: Line[] = [];
      const added: Line[] = [];
      while (lines[index]?.kind === 'del') removed.push(lines[index++]!);
      while (lines[index]?.kind === 'add') added.push(lines[index++]!);
      for (let row = 0; row < Math.max(removed.length, added.length); row++) {
        const left = removed[row];
        const right = added[row];
        body.append(
          element(
            'tr',
            { class: 'pair' },
            element('td', { class: 'no' }, left?.old?.toString() ?? ''),
            left ? code(left) : element('td', { class: 'blank' }),
            element('td', { class: 'no' }, right?.new?.toString() ?? ''),
            right ? code(right) : element('td', { class: 'blank' }),
          ),
        );
      }
    }
  }
  return element(
    'div',
    { class: 'scroll' },
    element('table', { class: `diff ${state.layout}` }, element('thead', { class: 'visually-hidden' }, head), body),
  );
}

function code(line: Line): HTMLElement {
  const mark = MARK[line.kind];
  return element(
    'td',
    { class: `code ${line.kind}` },
    ...(mark
      ? [element('span', { class: 'mark', 'aria-label': line.kind === 'add' ? 'added' : 'removed' }, mark)]
      : []),
    line.text,
  );
}

render();
void app.connect().then(() => theme(app.getHostContext()));
