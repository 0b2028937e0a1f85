export {
  MAX_DEPTH,
  MIN_KEPT_SHARE,
  READABILITY_WORK_BUDGET,
  compose,
  htmlToMarkdown,
  limitDepth,
  loadToolkit,
  prepareDocument,
  readMetadata,
  tidy,
  visibleLength,
} from './html.js';
export type {
  DepthReport,
  DomDocument,
  DomElement,
  DomNode,
  HtmlConversion,
  MarkdownToolkit,
  PageMetadata,
} from './html.js';
