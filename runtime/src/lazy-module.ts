import { createRequire } from 'node:module';
import type Archiver from 'archiver';
import type Docxtemplater from 'docxtemplater';
import type InspectModule from 'docxtemplater/js/inspect-module.js';
import type ExcelJS from 'exceljs';
import type Handlebars from 'handlebars';
import type * as MailParser from 'mailparser';
import type Nodemailer from 'nodemailer';
import type PDFDocument from 'pdfkit';
import type PizZip from 'pizzip';
import type * as SmtpServer from 'smtp-server';
import type * as TsBlankSpace from 'ts-blank-space';
import type TypeScript from 'typescript';

const requireHere = createRequire(import.meta.url);

/**
 * A dependency loaded on its first use rather than with the module that names it: large libraries
 * only a few requests need (exceljs, for Excel files; typescript, to check scripts) then cost nothing
 * to a server or a test process that never serves those requests — neither the time to load them nor
 * the memory they hold for the life of the process. The value is what `require` gives: a CommonJS
 * module's `module.exports` (what a default import of it gives), an ES module's namespace (Node
 * ≥ 20.19 requires ES modules without top-level await).
 */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= requireHere(id) as T;
    return loaded;
  };
}

/** exceljs (record exports and report downloads as .xlsx). */
export const excel = lazyModule<typeof ExcelJS>('exceljs');

/**
 * The TypeScript compiler (script and expression checks): ~9 MB of JavaScript that holds ~60 MB of
 * a process's memory and takes seconds to load on a busy machine, wanted only once a script or an
 * expression is compiled.
 */
export const typescript = lazyModule<typeof TypeScript>('typescript');

/** ts-blank-space (TypeScript scripts' types blanked out), which loads typescript itself. */
export const tsBlankSpace = lazyModule<typeof TsBlankSpace>('ts-blank-space');

// Documents and mail: each library serves a few routes (printing, Word templates, mail merge,
// template checks, SMTP in and out), and together they held ~40 MB of an idle server's memory.

/** pdfkit (HTML print templates drawn as PDF). */
export const pdfkit = lazyModule<typeof PDFDocument>('pdfkit');
/** docxtemplater and its tag inspector (Word templates). */
export const docxtemplater = lazyModule<typeof Docxtemplater>('docxtemplater');
export const docxInspectModule = lazyModule<typeof InspectModule>('docxtemplater/js/inspect-module.js');
/** pizzip (.docx archives). */
export const pizzip = lazyModule<typeof PizZip>('pizzip');
/** archiver (mail merge ZIPs). */
export const archiver = lazyModule<typeof Archiver>('archiver');
/** Handlebars (print templates, notification and e-mail texts, and their checks). */
export const handlebars = lazyModule<typeof Handlebars>('handlebars');
/** nodemailer (outgoing SMTP). */
export const nodemailer = lazyModule<typeof Nodemailer>('nodemailer');
/** smtp-server (the inbound SMTP listener, when configured). */
export const smtpServer = lazyModule<typeof SmtpServer>('smtp-server');
/** mailparser (inbound messages). */
export const mailparser = lazyModule<typeof MailParser>('mailparser');
