// The contact page's points and stage cards: main points, group scores, "Adjust points"
// (± N, reason, group) and "Change stage" (manual: may go backward).
import {
  Badge,
  Button,
  Card,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Points } from "../../api/points";
import { useI18n } from "../../i18n";
import { fieldErrors } from "../contacts/ContactPage";
import { useOptions } from "./shared";

export function ContactPointsCards({ contactId }: { contactId: string }) {
  const { t, fmtNumber } = useI18n();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["contact", contactId, "points"],
    queryFn: () => Points.ContactPoints(contactId),
  });
  const [dialog, setDialog] = useState<"" | "adjust" | "stage">("");
  const done = () => {
    setDialog("");
    void qc.invalidateQueries({ queryKey: ["contact", contactId] });
  };
  const v = q.data;
  return (
    <>
      <Card withBorder>
        <Text size="xs" c="dimmed">
          {t("contact.points")}
        </Text>
        <Text size="xl" fw={700} data-testid="points">
          {v ? fmtNumber(v.points) : "…"}
        </Text>
        {v && v.groups.length > 0 && (
          <Group gap={4} mt={4} data-testid="group-scores">
            {v.groups.map((g) => (
              <Badge key={g.groupId} variant="light" title={g.groupName}>
                {g.groupName}: {fmtNumber(g.score)}
              </Badge>
            ))}
          </Group>
        )}
        {v && v.triggers.length > 0 && (
          <Group gap={4} mt={4} data-testid="fired-triggers" aria-label={t("points.firedTriggers")}>
            {v.triggers.map((x) => (
              <Badge key={x.id} color={x.color || "orange"} variant="filled" size="sm">
                {x.name}
              </Badge>
            ))}
          </Group>
        )}
        <Button size="xs" variant="light" mt="xs" onClick={() => setDialog("adjust")}>
          {t("points.adjust")}
        </Button>
      </Card>
      <Card withBorder>
        <Text size="xs" c="dimmed">
          {t("contact.stage")}
        </Text>
        <Text fw={600} data-testid="contact-stage">
          {v?.stageName || t("points.noStage")}
        </Text>
        <Button size="xs" variant="light" mt="xs" onClick={() => setDialog("stage")}>
          {t("points.changeStage")}
        </Button>
      </Card>
      {dialog === "adjust" && (
        <AdjustDialog contactId={contactId} onClose={() => setDialog("")} onDone={done} />
      )}
      {dialog === "stage" && (
        <StageDialog
          contactId={contactId}
          current={v?.stageId ?? ""}
          onClose={() => setDialog("")}
          onDone={done}
        />
      )}
    </>
  );
}

function AdjustDialog({
  contactId,
  onClose,
  onDone,
}: {
  contactId: string;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t, te, lang } = useI18n();
  const opts = useOptions();
  const [delta, setDelta] = useState<string | number>(10);
  const [group, setGroup] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    try {
      await Points.Adjust(contactId, Number(delta) || 0, group ?? "", reason);
      notifications.show({ color: "green", message: t("points.adjusted") });
      onDone();
    } catch (e) {
      const fe = fieldErrors(lang, e);
      setErrors(Object.keys(fe).length ? fe : { delta: te(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened onClose={onClose} title={t("points.adjust")}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        noValidate
      >
        <Stack>
          <NumberInput
            label={t("points.adjustDelta")}
            description={t("points.deltaHint")}
            value={delta}
            onChange={setDelta}
            error={errors.delta}
            data-autofocus
          />
          <Select
            label={t("points.group")}
            placeholder={t("points.mainPoints")}
            data={opts.groups}
            value={group}
            onChange={setGroup}
            clearable
            error={errors.group}
          />
          <TextInput
            label={t("points.reason")}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={busy}>
              {t("points.apply")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function StageDialog({
  contactId,
  current,
  onClose,
  onDone,
}: {
  contactId: string;
  current: string;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t, te } = useI18n();
  const opts = useOptions();
  const [stage, setStage] = useState<string | null>(current || null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    try {
      await Points.SetStage(contactId, stage ?? "");
      notifications.show({ color: "green", message: t("points.stageChanged") });
      onDone();
    } catch (e) {
      setError(te(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened onClose={onClose} title={t("points.changeStage")}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        noValidate
      >
        <Stack>
          <Select
            label={t("points.stage")}
            placeholder={t("points.noStage")}
            description={t("points.stageManualHint")}
            data={opts.stages}
            value={stage}
            onChange={setStage}
            clearable
            error={error || undefined}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={busy}>
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
