/*
 * gen_register.c - a deterministic graduate destination register
 * (毕业生去向登记表) of any size, for the benchmark (bench/e2e.sh).
 *
 *     gen_register ROWS MAJORS.csv > register.csv
 *
 * Writes UTF-8 CSV: one header row, then ROWS graduates with the columns of
 * fixtures/gen_graduate_destination.py that the indicators read (学号, 姓名,
 * 性别, 专业代码, 专业名称, 培养层次, 毕业日期, 毕业去向类别, 是否学校推荐,
 * 就业单位名称, 是否专业对口, 起薪（元/月）, 半年后是否在岗), about 120 bytes
 * a row.  Majors come from fixtures/reference/seed-majors-2023.csv; the
 * cohorts 2019..2023 share the rows.  Every value is drawn from splitmix64
 * with a fixed seed, so the same ROWS always gives the same bytes, on any
 * machine.  Not part of vqr: a benchmark tool, built by `make bench`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXMAJORS 64

typedef struct major {
	char name[96];          /* 专业名称 */
	char level[32];         /* 培养层次 */
	char code[16];          /* 专业代码, e.g. 0106-2 */
	char catalog[8];        /* catalog code, e.g. 0106 */
} major;

static uint64_t state = 20230630;

static uint64_t next(void)
{
	uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned pick(unsigned n)
{
	return (unsigned)(next() % n);
}

/* Split a CSV line without quotes into at most n fields, in place. */
static int split(char *line, char **f, int n)
{
	int k = 0;
	f[k++] = line;
	for (char *p = line; *p && k < n; p++)
		if (*p == ',') {
			*p = '\0';
			f[k++] = p + 1;
		}
	return k;
}

static int read_majors(const char *path, major *m)
{
	char line[512], *f[8];
	int n = 0;
	FILE *in = fopen(path, "r");

	if (!in) {
		perror(path);
		return -1;
	}
	if (!fgets(line, sizeof line, in)) {
		fclose(in);
		return -1;
	}
	while (n < MAXMAJORS && fgets(line, sizeof line, in)) {
		line[strcspn(line, "\r\n")] = '\0';
		/* seq,major_name,direction,level,code,catalog_code,... */
		if (split(line, f, 8) < 6)
			continue;
		snprintf(m[n].name, sizeof m[n].name, "%s", f[1]);
		snprintf(m[n].level, sizeof m[n].level, "%s", f[3]);
		snprintf(m[n].code, sizeof m[n].code, "%s", f[4]);
		snprintf(m[n].catalog, sizeof m[n].catalog, "%s", f[5]);
		n++;
	}
	fclose(in);
	return n;
}

int main(int argc, char **argv)
{
	static const char *const surname[] = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
					       "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高" };
	static const char *const given[] = { "子涵", "浩宇", "欣怡", "梓轩", "一诺", "雨桐", "俊杰", "思远",
					     "佳琪", "志强", "文博", "晓东", "婷婷", "明轩", "嘉怡", "天佑" };
	static const char *const employer[] = { "长安汽车", "京东方光电", "川仪自动化", "西南铝业",
						"惠科金渝", "赛力斯汽车", "轨道交通集团", "德力西电气" };
	static const char *const yn[] = { "否", "是" };
	major m[MAXMAJORS];
	long long rows, i;
	int nm;
	char buf[1024];

	if (argc != 3 || (rows = atoll(argv[1])) < 0) {
		fprintf(stderr, "usage: gen_register ROWS MAJORS.csv > register.csv\n");
		return 1;
	}
	if ((nm = read_majors(argv[2], m)) <= 0) {
		fprintf(stderr, "gen_register: %s: no majors\n", argv[2]);
		return 1;
	}
	static char out[1 << 20];
	setvbuf(stdout, out, _IOFBF, sizeof out);
	fputs("学号,姓名,性别,专业代码,专业名称,培养层次,毕业日期,毕业去向类别,是否学校推荐,"
	      "就业单位名称,是否专业对口,起薪（元/月）,半年后是否在岗\n", stdout);
	for (i = 0; i < rows; i++) {
		const major *mj = &m[pick((unsigned)nm)];
		int cohort = 2019 + (int)(i % 5);
		unsigned d = pick(1000);
		/* 50% enterprise, 47% further study, 2% self-directed, 1% not placed */
		int dest = d < 500 ? 0 : d < 970 ? 1 : d < 990 ? 2 : 3;
		int placed = dest != 3;
		int n;

		n = snprintf(buf, sizeof buf, "%d%s%07lld,%s%s,%s,%s,%s,%s,%d-06-30,%s,", cohort - 3, mj->catalog,
			     i % 10000000, surname[pick(20)], given[pick(16)], pick(2) ? "男" : "女", mj->code,
			     mj->name, mj->level, cohort,
			     dest == 0 ? "企事业单位就业" : dest == 1 ? "高等教育深造" : dest == 2 ? "自主择业" : "待就业");
		if (dest == 0)
			n += snprintf(buf + n, sizeof buf - (size_t)n, "%s,%s,%s,%u,%s\n", yn[pick(100) < 24],
				      employer[pick(8)], yn[pick(100) < 95], 2800 + 10 * pick(280),
				      yn[pick(100) < 90]);
		else
			n += snprintf(buf + n, sizeof buf - (size_t)n, ",,%s,,%s\n", placed ? yn[pick(100) < 95] : "",
				      placed ? yn[pick(100) < 90] : "");
		fwrite(buf, 1, (size_t)n, stdout);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("gen_register: stdout");
		return 1;
	}
	return 0;
}
