// Dashboard (issue 8): typed calls to app.Dashboard that reject with ApiError.
import * as DashboardB from "../../wailsjs/go/app/Dashboard";
import type { app } from "../../wailsjs/go/models";
import { wrap } from "./errors";

export type DashWidget = app.DashWidget;
export type DashLayout = app.DashLayout;
export type DashBoard = app.DashBoard;
export type DashResult = app.DashResult;
export type DashTable = app.DashTable;

export const Dashboard = wrap({ ...DashboardB });
