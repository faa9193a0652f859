package app

import "magpie/backend/companies"

// Companies is the company list, page and editor.
type Companies struct{ s *Shell }

// CompanyView is a company.
type CompanyView struct {
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	Values       map[string]any `json:"values"`
	Score        int64          `json:"score"`
	Contacts     int            `json:"contacts"`
	DateAdded    string         `json:"dateAdded"`
	DateModified string         `json:"dateModified"`
	Deleted      bool           `json:"deleted"`
}

// CompanyQuery selects a page of companies.
type CompanyQuery struct {
	Search  string `json:"search"`
	Sort    string `json:"sort"`
	Desc    bool   `json:"desc"`
	Offset  int    `json:"offset"`
	Limit   int    `json:"limit"`
	Deleted bool   `json:"deleted"`
}

// CompanyPage is one page of companies.
type CompanyPage struct {
	Rows   []CompanyView `json:"rows"`
	Total  int           `json:"total"`
	Offset int           `json:"offset"`
}

func companyView(c companies.Company) CompanyView {
	return CompanyView{ID: c.ID, Name: c.Name(), Values: c.Values, Score: c.Score, Contacts: c.Contacts,
		DateAdded: ts(c.DateAdded), DateModified: ts(c.DateModified), Deleted: c.Deleted}
}

// List returns one page of companies.
func (a *Companies) List(q CompanyQuery) (CompanyPage, error) {
	p, err := a.s.core.Companies.List(a.s.context(), companies.Query{Search: q.Search, Sort: q.Sort, Desc: q.Desc,
		Offset: q.Offset, Limit: q.Limit, Deleted: q.Deleted})
	if err != nil {
		return CompanyPage{}, err
	}
	out := CompanyPage{Rows: make([]CompanyView, 0, len(p.Rows)), Total: p.Total, Offset: p.Offset}
	for _, c := range p.Rows {
		out.Rows = append(out.Rows, companyView(c))
	}
	return out, nil
}

// Get returns one company.
func (a *Companies) Get(id string) (CompanyView, error) {
	c, err := a.s.core.Companies.Get(a.s.context(), id)
	return companyView(c), err
}

// Create adds a company.
func (a *Companies) Create(values map[string]string) (CompanyView, error) {
	c, err := a.s.core.Companies.Create(a.s.context(), values)
	return companyView(c), err
}

// Update writes the given fields ("" clears one).
func (a *Companies) Update(id string, values map[string]string) (CompanyView, error) {
	c, err := a.s.core.Companies.Update(a.s.context(), id, values)
	return companyView(c), err
}

// Delete moves companies to the trash.
func (a *Companies) Delete(ids []string) (int, error) {
	return a.s.core.Companies.Delete(a.s.context(), ids)
}

// Restore brings companies back from the trash.
func (a *Companies) Restore(ids []string) (int, error) {
	return a.s.core.Companies.Restore(a.s.context(), ids)
}
