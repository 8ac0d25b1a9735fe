import type { ApiClient } from '../api/api-client';

/** A print or Word template as `GET /api/print-templates` answers it (docs/documents.md). */
export interface PrintTemplate {
  object: string;
  name: string;
  label: string;
  kind: 'html' | 'docx';
  html?: string | null;
  header?: string | null;
  footer?: string | null;
  page?: PageSetup;
  version?: number;
  updatedAt?: string;
}

export interface PageSetup {
  size?: 'A4' | 'A5' | 'LETTER' | 'LEGAL';
  orientation?: 'portrait' | 'landscape';
  margin?: number;
}

export interface TemplateInput {
  label?: string;
  html: string;
  header?: string;
  footer?: string;
  page?: PageSetup;
}

export interface WordTagList {
  tags: { tag: string; inside?: string }[];
  unknown: string[];
}

export interface MergePreviewDoc {
  id: string;
  label: string;
  html?: string;
  text: string;
  email?: { to: string; subject: string; body: string };
}

export interface MergeEmailReport {
  queued: number;
  missing: { id: string; label: string }[];
  missingCount: number;
  failed: { id: string; label: string; error: string }[];
  failedCount: number;
}

export interface MergeInput {
  template?: string;
  wordTemplate?: string;
  filter?: unknown;
  sort?: string;
  email?: { to: string; subject: string; body?: string; attach?: boolean };
}

/** An image print templates draw (`<img src="image:logo">`), as `GET /api/document-images` lists it. */
export interface DocumentImage {
  name: string;
  contentType: string;
  width: number;
  height: number;
  size: number;
  updatedAt: string;
}

const enc = encodeURIComponent;
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The print-template, printing and mail-merge routes, typed for the web app. */
export function documentsApi(api: ApiClient) {
  return {
    list: async (object?: string) =>
      (await api.get<{ items: PrintTemplate[] }>('/api/print-templates', { query: { object } })).items,
    get: (object: string, name: string) => api.get<PrintTemplate>(`/api/print-templates/${enc(object)}/${enc(name)}`),
    save: (object: string, name: string, input: TemplateInput) =>
      api.put<PrintTemplate>(`/api/print-templates/${enc(object)}/${enc(name)}`, input),
    remove: (object: string, name: string) => api.delete<void>(`/api/print-templates/${enc(object)}/${enc(name)}`),
    preview: (object: string, record: string, input: TemplateInput) =>
      api.post<{ html: string; text: string }>(`/api/print-templates/${enc(object)}/preview`, { ...input, record }),
    previewPdf: async (object: string, record: string, input: TemplateInput) =>
      (
        await api.raw('POST', `/api/print-templates/${enc(object)}/preview`, {
          body: { ...input, record, format: 'pdf' },
        })
      ).blob(),
    wordTags: (object: string, file: Blob) =>
      api.post<WordTagList>(`/api/print-templates/${enc(object)}/docx-tags`, file, {
        headers: { 'content-type': 'application/octet-stream' },
      }),
    uploadWord: (object: string, name: string, file: Blob, label?: string) =>
      api.put<PrintTemplate>(`/api/print-templates/${enc(object)}/${enc(name)}/docx`, file, {
        headers: { 'content-type': 'application/octet-stream' },
        query: { label },
      }),
    printPdf: async (object: string, id: string, template: string) =>
      (await api.raw('GET', `/api/records/${enc(object)}/${enc(id)}/print/${enc(template)}`)).blob(),
    wordFile: async (object: string, id: string, template: string) =>
      new Blob([await (await api.raw('GET', `/api/records/${enc(object)}/${enc(id)}/docx/${enc(template)}`)).blob()], {
        type: DOCX,
      }),
    mergePreview: (object: string, input: MergeInput) =>
      api.post<{ documents: MergePreviewDoc[]; unknown?: string[] }>(`/api/records/${enc(object)}/merge`, {
        ...input,
        dryRun: true,
      }),
    mergeEmail: (object: string, input: MergeInput) =>
      api.post<MergeEmailReport>(`/api/records/${enc(object)}/merge`, input),
    images: async () => (await api.get<{ items: DocumentImage[] }>('/api/document-images')).items,
    imageBlob: async (name: string) => (await api.raw('GET', `/api/document-images/${enc(name)}`)).blob(),
    uploadImage: (name: string, file: Blob) =>
      api.put<DocumentImage>(`/api/document-images/${enc(name)}`, file, {
        headers: { 'content-type': 'application/octet-stream' },
      }),
    removeImage: (name: string) => api.delete<void>(`/api/document-images/${enc(name)}`),
  };
}

export type DocumentsApi = ReturnType<typeof documentsApi>;

/** Hands a generated file to the browser as a download named after the template and record. */
export function deliverFile(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // Long enough for the download to read it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
