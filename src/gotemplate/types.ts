// The types the template edits hand to their callers (the injectionTemplates rule). They live
// apart from both edits so that each edit, and index.ts, can name them without importing the other.

export interface TemplateEdit {
  /** 1-based line in the original text. */
  line: number;
  message: string;
}

export interface TemplateEditResult {
  text: string;
  edits: TemplateEdit[];
}

export interface ProxyPrivileges {
  netBindService: boolean;
  runAsRoot: boolean;
}
