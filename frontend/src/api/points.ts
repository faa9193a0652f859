// Points and stages (issue 8): typed calls to app.Points that reject with ApiError.
import * as PagesB from "../../wailsjs/go/app/Pages";
import * as PointsB from "../../wailsjs/go/app/Points";
import type { app } from "../../wailsjs/go/models";
import { wrap } from "./errors";

export type PointAction = app.PointActionView;
export type PointProps = app.PointProps;
export type PointTrigger = app.PointTriggerView;
export type PointTriggerEvent = app.PointTriggerEventView;
export type PointGroup = app.PointGroupView;
export type Stage = app.StageView;
export type ContactPoints = app.ContactPointsView;

export const Points = wrap({ ...PointsB });

/** The landing pages a "visits a landing page" action can name. */
export const LandingPages = wrap({ List: PagesB.List });

/** Mautic's point action types, in menu order. */
export const actionTypes = [
  "email.open",
  "email.send",
  "email.click",
  "url.hit",
  "page.hit",
  "page.visits",
  "form.submit",
  "asset.download",
] as const;

/** Trigger event types, in menu order. */
export const triggerEventTypes = [
  "email.send",
  "email.send_to_user",
  "lead.changetags",
  "lead.changelists",
  "campaign.changecampaign",
  "stage.change",
] as const;

export function blankProps(): PointProps {
  return {
    emails: [],
    pages: [],
    forms: [],
    assets: [],
    url: "",
    pageHits: 0,
    firstTime: false,
    returnsWithin: 0,
    returnsAfter: 0,
    everyNth: 0,
  };
}

export function blankAction(): PointAction {
  return {
    id: "",
    name: "",
    description: "",
    type: "url.hit",
    delta: 5,
    props: blankProps(),
    repeatable: false,
    groupId: "",
    groupName: "",
    published: true,
    publishUp: "",
    publishDown: "",
    dateModified: "",
    deleted: false,
    contacts: 0,
  };
}

export function blankTriggerEvent(type: string): PointTriggerEvent {
  return {
    id: "",
    type,
    email: "",
    addTags: [],
    removeTags: [],
    addSegments: [],
    removeSegments: [],
    stage: "",
    addCampaigns: [],
    removeCampaigns: [],
    useOwner: type === "email.send_to_user",
    users: [],
    to: [],
  };
}

export function blankTrigger(): PointTrigger {
  return {
    id: "",
    name: "",
    description: "",
    points: 50,
    groupId: "",
    groupName: "",
    color: "#e8590c",
    triggerExisting: false,
    events: [],
    published: true,
    publishUp: "",
    publishDown: "",
    dateModified: "",
    deleted: false,
    fired: 0,
    jobId: "",
  };
}
