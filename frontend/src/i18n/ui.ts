// Shell-wide strings (jobs indicator, column resizing, countries), spread into en.ts / fr.ts.
export const uiEn = {
  "ui.jobs.button": "Background jobs",
  "ui.jobs.running": "{n} running",
  "ui.jobs.none": "No job is running.",
  "ui.jobs.title": "Background jobs",
  "ui.jobs.rows": "rows",
  "ui.jobs.items": "items",
  "ui.jobs.finished": "Finished",
  "ui.jobs.history": "All jobs and their results stay on the screen that started them.",
  "ui.col.resize": "Resize column {name}",
  "ui.col.resizeHint": "Drag, or use the left and right arrow keys; double-click to reset.",
  "ui.country.any": "Country",
  "ui.import.contactGroup": "Contact",
  "ui.import.companyGroup": "Company",
};

export const uiFr: Record<keyof typeof uiEn, string> = {
  "ui.jobs.button": "Tâches en arrière-plan",
  "ui.jobs.running": "{n} en cours",
  "ui.jobs.none": "Aucune tâche en cours.",
  "ui.jobs.title": "Tâches en arrière-plan",
  "ui.jobs.rows": "lignes",
  "ui.jobs.items": "éléments",
  "ui.jobs.finished": "Terminé",
  "ui.jobs.history": "Le détail et le résultat de chaque tâche restent sur l'écran qui l'a lancée.",
  "ui.col.resize": "Redimensionner la colonne {name}",
  "ui.col.resizeHint":
    "Faites glisser, ou utilisez les flèches gauche et droite ; double-clic pour revenir à la largeur par défaut.",
  "ui.country.any": "Pays",
  "ui.import.contactGroup": "Contact",
  "ui.import.companyGroup": "Société",
};
