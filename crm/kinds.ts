// Loads every CRM adapter so each registers its kind (crm/registry.ts). The core imports this module,
// never an adapter. The Salesforce adapter adds its own import line here.
import './hubspot/index.js';
import './salesforce/index.js';
