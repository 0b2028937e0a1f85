import { readFile } from 'node:fs/promises';
import { RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import { NotFoundError } from '../errors/index.js';

/** The media type of an MCP Apps view (`text/html;profile=mcp-app`). */
export const APP_MIME_TYPE: string = RESOURCE_MIME_TYPE;

/** Who may call a tool: the model, the app (a view in the host's iframe), or both (the default). */
export type AppVisibility = 'model' | 'app';

/** A tool's `_meta.ui`: the view that renders its result, and who may call it. */
export interface ToolUi {
  /** The `ui://` resource the host renders beside the tool's result. */
  resourceUri?: string;
  /** `['app']` hides the tool from the model: only the server's own views call it. */
  visibility?: AppVisibility[];
}

/** A `ui://` resource: one self-contained HTML file built with the package. */
export interface AppView {
  name: string;
  /** `ui://<server>/<view>.html` */
  uri: string;
  title: string;
  description: string;
  /** Absolute path of the built HTML file. */
  file: string;
}

/** Declares an app view. */
export function defineAppView(view: AppView): AppView {
  return view;
}

/** Whether a tool with this `_meta.ui` is for the app only, hidden from the model. */
export function isAppOnly(ui: ToolUi | undefined): boolean {
  return ui?.visibility !== undefined && !ui.visibility.includes('model');
}

const htmlCache = new Map<string, Promise<string>>();

/** The HTML of a view, read once per process; a missing file means the package was not built. */
export function readAppHtml(view: AppView): Promise<string> {
  let html = htmlCache.get(view.file);
  if (html === undefined) {
    html = readFile(view.file, 'utf8').catch(() => {
      htmlCache.delete(view.file);
      throw new NotFoundError(
        `The view ${view.uri} is not built; build the server package (npm run build), or start it with --no-apps.`,
      );
    });
    htmlCache.set(view.file, html);
  }
  return html;
}
