package segments

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// Point group score filters (Mautic's PointBundle SegmentFilterSubscriber): one filter per
// published point group, alias group_points_<group id>, number operators on the contact's
// score in that group (point_group_scores; no row counts as 0, like a fresh score).

// KGroupScore is the kind of the point group score filters.
const KGroupScore Kind = "groupscore"

// GroupScorePrefix starts the alias of a point group filter.
const GroupScorePrefix = "group_points_"

var opsGroupScore = []string{OpEq, OpNeq, OpGt, OpGte, OpLt, OpLte}

// PointGroupDefs lists the filters of the point groups not in the trash.
func PointGroupDefs(ctx context.Context, q *sql.DB) ([]Def, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, name FROM point_groups WHERE deleted = 0 ORDER BY name, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Def
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out = append(out, Def{Alias: GroupScorePrefix + id, Object: "lead", Group: "contact", Label: "Point group: " + name,
			LabelFR: "Groupe de points : " + name, Type: "number", Ops: opsGroupScore, Kind: KGroupScore, Column: id})
	}
	return out, rows.Err()
}

// Catalogue is the package Catalogue plus the point group filters of this store.
func (s *Service) Catalogue(ctx context.Context) ([]Def, error) {
	list, err := Catalogue(ctx, s.fields)
	if err != nil {
		return nil, err
	}
	groups, err := PointGroupDefs(ctx, s.db.R)
	if err != nil {
		return nil, err
	}
	return append(list, groups...), nil
}

// groupScore compares the contact's score in one point group (no row = 0).
func (c *Compiler) groupScore(n *Node, d Def, op string) (string, error) {
	v, err := n.Filter.Value()
	if err != nil {
		return "", leafError(n, "%v", err)
	}
	k, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return "", leafError(n, "value %q must be a whole number", v)
	}
	sqlOp := map[string]string{OpEq: "=", OpNeq: "<>", OpGt: ">", OpGte: ">=", OpLt: "<", OpLte: "<="}[op]
	base := "x.group_id = " + c.arg(d.Column) + " AND x.deleted = 0"
	cond := "x.score " + sqlOp + " " + c.arg(k)
	zero := cmpInt(0, sqlOp, k)
	if sqlOp == "<>" {
		zero = k != 0
	}
	if zero {
		// A contact without a score row (0) matches: exclude those whose row does not.
		return "NOT (" + c.exists("point_group_scores x", "x.contact_id", base+" AND NOT ("+cond+")") + ")", nil
	}
	return c.exists("point_group_scores x", "x.contact_id", base+" AND "+cond), nil
}
