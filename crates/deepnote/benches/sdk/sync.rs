//! `sync`: `sync().pull(dir)` of 200 projects x 5 notebooks from the emulator (issue 11): the
//! time, the requests the emulator saw, and the client's peak heap at 50 and at 200
//! projects, which must not grow with the workspace (projects are handled one at a time).

use super::{CURRENT, PEAK, client};
use deepnote::{Client, blocks::BlockType, sync::ProjectAction};
use deepnote_emulator::Emulator;
use std::sync::atomic::Ordering;
use std::time::Instant;

const NOTEBOOKS: usize = 5;

/// Adds projects until there are `upto` of the bench's own, each with five notebooks of two
/// code blocks (the create makes the first notebook).
async fn seed(sdk: &Client, from: usize, upto: usize) {
    for p in from..upto {
        let project = sdk
            .projects()
            .create(format!("Bench project {p:03}"))
            .send()
            .await
            .unwrap();
        let mut notebooks: Vec<_> = project.notebooks.iter().map(|n| n.id.clone()).collect();
        while notebooks.len() < NOTEBOOKS {
            let n = sdk
                .notebooks()
                .create(project.id.clone())
                .name(format!("Part {}", notebooks.len()))
                .send()
                .await
                .unwrap();
            notebooks.push(n.id);
        }
        for (i, nb) in notebooks.iter().enumerate() {
            for b in 0..2 {
                sdk.blocks()
                    .create(nb.clone(), BlockType::Code)
                    .content(format!(
                        "import pandas as pd\ndf = pd.read_csv('data/{p}_{i}_{b}.csv')\n\
                         df.groupby('region').sum()\n"
                    ))
                    .send()
                    .await
                    .unwrap();
            }
        }
    }
}

struct Pulled {
    projects: usize,
    pulled: usize,
    seconds: f64,
    requests: usize,
    peak_kib: f64,
}

/// One pull into a fresh folder, measured.
async fn pull(emu: &Emulator, sdk: &Client, dir: &std::path::Path, page: u32) -> Pulled {
    emu.clear_journal();
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let (mut projects, mut pulled) = (0, 0);
    let t = Instant::now();
    sdk.sync()
        .pull(dir)
        .page_size(page)
        .each(true, |p| {
            projects += 1;
            pulled += usize::from(p.action == ProjectAction::Pull);
        })
        .await
        .unwrap();
    let seconds = t.elapsed().as_secs_f64();
    Pulled {
        projects,
        pulled,
        seconds,
        requests: emu.journal().len(),
        peak_kib: (PEAK.load(Ordering::Relaxed) - base) as f64 / 1024.0,
    }
}

pub async fn sync(emu: &Emulator) {
    let sdk = client(emu);
    let root = std::env::temp_dir().join(format!("deepnote-bench-sync-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    println!("\n## sync pull (200 projects x {NOTEBOOKS} notebooks, plus the 3 sample projects)");
    println!(
        "| projects | page size | pulled | time | requests | peak client heap | files | state file |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let row = |label: String, page: u32, r: Pulled, dir: &std::path::Path| {
        println!(
            "| {label} | {page} | {} | {:.2} s | {} | {:.0} KiB | {} | {:.0} KiB |",
            r.pulled,
            r.seconds,
            r.requests,
            r.peak_kib,
            count_files(dir),
            state_kib(dir)
        );
    };
    let mut done = 0;
    for upto in [50, 200] {
        seed(&sdk, done, upto).await;
        done = upto;
        for page in [100, 20] {
            let dir = root.join(format!("pull-{upto}-{page}"));
            let r = pull(emu, &sdk, &dir, page).await;
            row(r.projects.to_string(), page, r, &dir);
        }
    }
    // Nothing changed: the same folder pulled again (the state is read whole first).
    for page in [100, 20] {
        let dir = root.join(format!("pull-200-{page}"));
        let r = pull(emu, &sdk, &dir, page).await;
        row(format!("{} (again, unchanged)", r.projects), page, r, &dir);
    }
    let _ = std::fs::remove_dir_all(&root);
}

fn state_kib(dir: &std::path::Path) -> f64 {
    std::fs::metadata(dir.join(deepnote::sync::SYNC_STATE_FILE))
        .map_or(0.0, |m| m.len() as f64 / 1024.0)
}

fn count_files(dir: &std::path::Path) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                n += 1;
            }
        }
    }
    n
}
