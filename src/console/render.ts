import path from "node:path";
import { Eta } from "eta";
import { formatInstant, type Language, languages, zoneOf } from "./i18n";
import type { Session } from "./session";

// Views and assets are files beside this module; the build copies them into dist (scripts/copy-console-files.cjs).
const VIEWS_DIR = path.join(__dirname, "views");
export const ASSETS_DIR = path.join(__dirname, "assets");

const eta = new Eta({ views: VIEWS_DIR, cache: process.env.NODE_ENV !== "development", autoEscape: true });

export interface PageContext {
  language: Language;
  session: Session | null;
  csrf: string;
  path: string;
}

/** Renders a view inside the layout, with the words of the session's language and Paris-time dates. */
export function renderPage(view: string, context: PageContext, data: Record<string, unknown>): string {
  const words = languages[context.language];
  return eta.render(view, {
    ...data,
    t: words,
    lang: context.language,
    session: context.session,
    canWrite: context.session?.role === "admin",
    csrf: context.csrf,
    path: context.path,
    when: (value: string | Date | null | undefined) => formatInstant(value, context.language),
    time: (value: string | Date | null | undefined) => formatInstant(value, context.language, false),
    zone: zoneOf(context.language),
    pretty: (value: unknown) => JSON.stringify(value, null, 2),
  });
}
