// Batch actions on the grid's selection: tag/untag, segments, do-not-contact, delete (to the trash).
import { Button, Group, Modal, MultiSelect, Select, Stack, TagsInput, Text, Textarea } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Contacts, Segments, type Selection } from "../../api";
import { useI18n } from "../../i18n";

export type BatchKind = "tag" | "segments" | "dnc" | "delete" | null;

interface Props {
  kind: BatchKind;
  selection: Selection;
  count: number;
  onClose: () => void;
  onDone: () => void;
}

export function BatchDialog({ kind, selection, count, onClose, onDone }: Props) {
  const { t, te, fmtNumber } = useI18n();
  const [busy, setBusy] = useState(false);
  const [add, setAdd] = useState<string[]>([]);
  const [remove, setRemove] = useState<string[]>([]);
  const [channel, setChannel] = useState("email");
  const [reason, setReason] = useState("manual");
  const [comments, setComments] = useState("");
  const [undo, setUndo] = useState(false);
  // Each opening starts empty (tags picked for one action must not carry over to the next).
  useEffect(() => {
    if (kind === null) return;
    setAdd([]);
    setRemove([]);
  }, [kind]);
  const tags = useQuery({ queryKey: ["tags"], queryFn: () => Contacts.Tags(), enabled: kind === "tag" });
  const segs = useQuery({
    queryKey: ["segments", false],
    queryFn: () => Segments.List(false),
    enabled: kind === "segments",
  });
  const segOptions = (segs.data ?? []).map((g) => ({ value: g.id, label: g.name }));

  const run = async (
    f: () => Promise<number>,
    key: "contacts.batch.tagged" | "contacts.batch.dncDone" | "contacts.batch.deleted",
  ) => {
    setBusy(true);
    try {
      const n = await f();
      notifications.show({ color: "green", message: t(key, { n: fmtNumber(n) }) });
      onDone();
    } catch (e) {
      notifications.show({ color: "red", message: te(e) });
    } finally {
      setBusy(false);
    }
  };

  const n = fmtNumber(count);
  return (
    <Modal
      opened={kind !== null}
      onClose={onClose}
      title={
        kind === "tag"
          ? t("contacts.batch.tagTitle", { n })
          : kind === "segments"
            ? t("contacts.batch.segmentsTitle", { n })
            : kind === "dnc"
              ? t("contacts.batch.dncTitle", { n })
              : t("contacts.batch.deleteTitle", { n })
      }
    >
      {kind === "tag" && (
        <Stack>
          <TagsInput
            label={t("contacts.batch.addTags")}
            data={(tags.data ?? []).map((x) => x.name)}
            value={add}
            onChange={setAdd}
            data-autofocus
          />
          <TagsInput
            label={t("contacts.batch.removeTags")}
            data={(tags.data ?? []).map((x) => x.name)}
            value={remove}
            onChange={setRemove}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button
              loading={busy}
              disabled={add.length === 0 && remove.length === 0}
              onClick={() => run(() => Contacts.Tag(selection, add, remove), "contacts.batch.tagged")}
            >
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      )}
      {kind === "segments" && (
        <Stack>
          <MultiSelect
            label={t("contacts.batch.addSegments")}
            data={segOptions}
            value={add}
            onChange={setAdd}
            searchable
            data-autofocus
          />
          <MultiSelect
            label={t("contacts.batch.removeSegments")}
            data={segOptions}
            value={remove}
            onChange={setRemove}
            searchable
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button
              loading={busy}
              disabled={add.length === 0 && remove.length === 0}
              onClick={() =>
                run(() => Contacts.ChangeSegments(selection, add, remove), "contacts.batch.tagged")
              }
            >
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      )}
      {kind === "dnc" && (
        <Stack>
          <Select
            label={t("contacts.dnc.channel")}
            data={[
              { value: "email", label: t("contacts.dnc.email") },
              { value: "sms", label: t("contacts.dnc.sms") },
            ]}
            value={channel}
            onChange={(v) => setChannel(v ?? "email")}
            allowDeselect={false}
          />
          <Select
            label={t("contacts.dnc.action")}
            data={[
              { value: "set", label: t("contacts.dnc.set") },
              { value: "remove", label: t("contacts.dnc.remove") },
            ]}
            value={undo ? "remove" : "set"}
            onChange={(v) => setUndo(v === "remove")}
            allowDeselect={false}
          />
          {!undo && (
            <>
              <Select
                label={t("contacts.dnc.reason")}
                data={[
                  { value: "manual", label: t("contacts.dnc.manual") },
                  { value: "unsubscribed", label: t("contacts.dnc.unsubscribed") },
                  { value: "bounced", label: t("contacts.dnc.bounced") },
                ]}
                value={reason}
                onChange={(v) => setReason(v ?? "manual")}
                allowDeselect={false}
              />
              <Textarea
                label={t("contacts.dnc.comments")}
                value={comments}
                onChange={(e) => setComments(e.currentTarget.value)}
              />
            </>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button
              loading={busy}
              onClick={() =>
                run(
                  () =>
                    undo
                      ? Contacts.RemoveDNC(selection, channel)
                      : Contacts.SetDNC(selection, channel, reason, comments),
                  "contacts.batch.dncDone",
                )
              }
            >
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      )}
      {kind === "delete" && (
        <Stack>
          <Text>{t("contacts.batch.deleteHint")}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} data-autofocus>
              {t("common.cancel")}
            </Button>
            <Button
              color="red"
              loading={busy}
              onClick={() => run(() => Contacts.Delete(selection), "contacts.batch.deleted")}
            >
              {t("common.delete")}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
