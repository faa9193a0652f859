// Reports (issue 8): typed calls to app.Reports that reject with ApiError.
import * as ReportsB from "../../wailsjs/go/app/Reports";
import type { app, reports } from "../../wailsjs/go/models";
import { wrap } from "./errors";

export type ReportView = app.ReportView;
export type ReportDef = app.ReportDef;
export type ReportPreview = app.ReportPreview;
export type ReportOptions = app.ReportOptions;
export type ReportSource = reports.Source;
export type ReportColumn = reports.Column;
export type ReportFilter = reports.Filter;
export type ReportAgg = reports.Agg;
export type ReportSchedule = reports.Schedule;
export type ReportExportResult = reports.ExportResult;

export const Reports = wrap({ ...ReportsB });
